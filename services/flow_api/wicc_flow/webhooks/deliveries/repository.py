"""Queries of deliveries and attempts, for the API (lists, retries, replays).

The dispatcher's own statements (claiming, leases, recording answers) are in `queue.py`.
"""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import Table, func, insert, select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_flow.tables import WEBHOOK_INBOX
from wicc_flow.webhooks.deliveries.models import WebhookAttempt, WebhookDelivery
from wicc_flow.webhooks.ordering import DeliveryStatus
from wicc_shared.pagination import PageParams, fetch_page

DELIVERY: Table = WebhookDelivery.__table__  # type: ignore[attr-defined]
ATTEMPT: Table = WebhookAttempt.__table__  # type: ignore[attr-defined]
# Taken by whatever changes which deliveries are waiting (the dispatcher's planning,
# failing an endpoint's waiting deliveries), so they never interleave: the plan sees
# a consistent queue and two writers never lock the same rows in different orders.
QUEUE_LOCK = (zlib.crc32(b"wicc-webhook-queue") - 2**31, 0)


async def lock_queue(session: AsyncSession) -> None:
    await session.execute(select(func.pg_advisory_xact_lock(*QUEUE_LOCK)))


async def insert_many(session: AsyncSession, rows: Sequence[dict[str, Any]]) -> None:
    """New deliveries (each row a complete `webhook_delivery` row)."""
    if rows:
        await session.execute(insert(DELIVERY), list(rows))


async def fail_waiting(
    session: AsyncSession, endpoint_ids: Sequence[uuid.UUID], *, reason: str
) -> int:
    """Fail the pending deliveries of these endpoints (they were disabled)."""
    await lock_queue(session)
    result = await session.execute(
        update(DELIVERY)
        .where(
            DELIVERY.c.endpoint_id.in_(endpoint_ids),
            DELIVERY.c.status == DeliveryStatus.PENDING.value,
        )
        .values(status=DeliveryStatus.FAILED.value, last_reason=reason)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def page_of(
    session: AsyncSession,
    endpoint_id: uuid.UUID,
    status: DeliveryStatus | None,
    page: PageParams,
) -> tuple[list[WebhookDelivery], int]:
    query = select(WebhookDelivery).where(col(WebhookDelivery.endpoint_id) == endpoint_id)
    if status is not None:
        query = query.where(col(WebhookDelivery.status) == status.value)
    query = query.order_by(col(WebhookDelivery.created_at).desc(), col(WebhookDelivery.seq).desc())
    return await fetch_page(session, query, page)


async def get(
    session: AsyncSession,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> WebhookDelivery | None:
    delivery = await session.get(
        WebhookDelivery, delivery_id, with_for_update=for_update, populate_existing=for_update
    )
    return delivery if delivery is not None and delivery.endpoint_id == endpoint_id else None


async def attempts_of(session: AsyncSession, delivery_id: uuid.UUID) -> Sequence[WebhookAttempt]:
    result = await session.execute(
        select(WebhookAttempt)
        .where(col(WebhookAttempt.delivery_id) == delivery_id)
        .order_by(col(WebhookAttempt.number))
    )
    return result.scalars().all()


async def purge_finished(session: AsyncSession, before: datetime) -> int:
    """Delete delivered and failed deliveries created before `before` (and their
    attempts), and the fan-out's record of events processed before it."""
    finished = (DeliveryStatus.DELIVERED.value, DeliveryStatus.FAILED.value)
    result = await session.execute(
        DELIVERY.delete().where(DELIVERY.c.status.in_(finished), DELIVERY.c.created_at < before)
    )
    # Events that old are long past their fan-out; only a consumer group recreated on a
    # log still holding them would see them again.
    await session.execute(WEBHOOK_INBOX.delete().where(WEBHOOK_INBOX.c.processed_at < before))
    return int(getattr(result, "rowcount", 0) or 0)
