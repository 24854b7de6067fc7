"""What a batch of answers means for their endpoints: the run of failures (5 days of
it disables an endpoint), a receiver's request to wait (Retry-After on 429 or 503
holds the whole endpoint back), and 410 Gone (disables it at once)."""

from __future__ import annotations

import uuid
from collections import defaultdict
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_flow.webhooks.deliveries import repository
from wicc_flow.webhooks.deliveries.sending import Judged
from wicc_flow.webhooks.endpoints import service as endpoints
from wicc_flow.webhooks.endpoints.models import WebhookEndpoint
from wicc_flow.webhooks.schedule import Verdict, failing_since, should_disable
from wicc_shared.audited_write import SystemActor
from wicc_shared.catalogue.webhooks import DisabledReason

DISPATCHER = SystemActor("webhook-dispatcher")


async def apply(
    session: AsyncSession, results: Sequence[tuple[uuid.UUID, Judged]], now: datetime
) -> list[uuid.UUID]:
    """Update the endpoints of `results` (in the order the answers came); return the
    endpoints disabled by them."""
    by_endpoint: dict[uuid.UUID, list[Judged]] = defaultdict(list)
    for endpoint_id, judged in results:
        by_endpoint[endpoint_id].append(judged)
    healthy = [e for e, js in by_endpoint.items() if all(_delivered(j) for j in js)]
    if healthy:
        # The common case in one statement, without locking: a success ends any run.
        await session.execute(
            update(WebhookEndpoint)
            .where(
                col(WebhookEndpoint.id).in_(healthy), col(WebhookEndpoint.failing_since).isnot(None)
            )
            .values(failing_since=None)
        )
    troubled = sorted(e for e in by_endpoint if e not in set(healthy))
    disabled: list[uuid.UUID] = []
    for endpoint in await _locked(session, troubled):
        if await _apply_one(session, endpoint, by_endpoint[endpoint.id], now):
            disabled.append(endpoint.id)
    return disabled


def _delivered(judged: Judged) -> bool:
    return judged.outcome.verdict is Verdict.DELIVERED


async def _locked(session: AsyncSession, ids: list[uuid.UUID]) -> Sequence[WebhookEndpoint]:
    if not ids:
        return []
    result = await session.execute(
        select(WebhookEndpoint)
        .where(col(WebhookEndpoint.id).in_(ids))
        .order_by(col(WebhookEndpoint.id))  # one lock order for every writer
        .with_for_update()
        .execution_options(populate_existing=True)
    )
    return result.scalars().all()


async def _apply_one(
    session: AsyncSession, endpoint: WebhookEndpoint, answers: list[Judged], now: datetime
) -> bool:
    """Fold the answers into the endpoint; True when it is disabled by them."""
    gone: Judged | None = None
    for judged in answers:
        at = judged.answer.finished_at
        endpoint.failing_since = failing_since(judged.outcome, endpoint.failing_since, at)
        if judged.outcome.verdict is Verdict.GONE:
            gone = judged
        if judged.outcome.retry_after is not None:
            until = at + judged.outcome.retry_after
            if endpoint.paused_until is None or endpoint.paused_until < until:
                endpoint.paused_until = until
    if not endpoint.enabled:
        # Answers that came back after it was disabled: nothing more will be sent.
        reason = f"endpoint_{endpoint.disabled_reason or 'disabled'}"
        await repository.fail_waiting(session, [endpoint.id], reason=reason)
        return False
    if gone is not None:
        await endpoints.record_disabled(
            session, DISPATCHER, endpoint, DisabledReason.gone, now, gone.answer.status_code
        )
        return True
    if should_disable(endpoint.failing_since, now):
        last = answers[-1].answer.status_code
        await endpoints.record_disabled(
            session, DISPATCHER, endpoint, DisabledReason.failing, now, last
        )
        return True
    await session.flush()
    return False
