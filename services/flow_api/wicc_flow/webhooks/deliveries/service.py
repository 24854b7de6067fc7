"""The delivery log of an endpoint, and recovery: retry one delivery, replay a period.

Reached through the endpoint, so the endpoint's access rules apply (`endpoints.service.
managed`). A retry or a replay is audited.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.webhooks.deliveries import replay, repository
from wicc_flow.webhooks.deliveries.models import WebhookAttempt, WebhookDelivery
from wicc_flow.webhooks.deliveries.routing import Subscriber, delivery_row, receives
from wicc_flow.webhooks.deliveries.schemas import (
    AttemptRead,
    DeliveryDetail,
    DeliveryRead,
    ReplayRequest,
    ReplayResult,
)
from wicc_flow.webhooks.endpoints.models import WebhookEndpoint
from wicc_flow.webhooks.endpoints.service import ENTITY, EndpointDisabled, managed
from wicc_flow.webhooks.filters import EndpointFilter, EventFacts
from wicc_flow.webhooks.ordering import DeliveryStatus
from wicc_shared import audited_write
from wicc_shared.auth import Principal
from wicc_shared.catalogue import CATALOGUE, WEBHOOK_TESTED
from wicc_shared.errors import Conflict, NotFound
from wicc_shared.events.envelope import Event
from wicc_shared.events.stream import EventStream
from wicc_shared.pagination import Page, PageParams

MAX_REPLAY = 10_000


class DeliveryNotRetryable(Conflict):
    slug, title = "delivery-not-retryable", "This delivery cannot be retried now"


async def list_for(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    status: DeliveryStatus | None,
    page: PageParams,
) -> Page[DeliveryRead]:
    await managed(session, principal, endpoint_id)
    deliveries, total = await repository.page_of(session, endpoint_id, status, page)
    items = [to_read(d) for d in deliveries]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


async def detail(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, delivery_id: uuid.UUID
) -> DeliveryDetail:
    await managed(session, principal, endpoint_id)
    delivery = await _delivery(session, endpoint_id, delivery_id)
    attempts = await repository.attempts_of(session, delivery.id)
    return DeliveryDetail(
        **to_read(delivery).model_dump(), attempts_made=[_attempt(a) for a in attempts]
    )


async def retry(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    *,
    now: datetime,
) -> DeliveryRead:
    """Send a failed delivery again, on a fresh retry schedule; or a pending one now,
    without waiting for its next scheduled attempt. Sent with its original event id."""
    endpoint = await managed(session, principal, endpoint_id)
    if not endpoint.enabled:
        raise EndpointDisabled("Enable the endpoint before retrying its deliveries.")
    delivery = await _delivery(session, endpoint_id, delivery_id, for_update=True)
    before = to_read(delivery)
    status = DeliveryStatus(delivery.status)
    if status is DeliveryStatus.IN_FLIGHT:
        raise DeliveryNotRetryable("An attempt is being made now; wait for its answer.")
    if status is DeliveryStatus.DELIVERED:
        raise DeliveryNotRetryable(
            "It was delivered. To send it again, replay from just before its sequence "
            f"number: POST .../replay with since={delivery.seq - 1}."
        )
    if status is DeliveryStatus.FAILED:
        delivery.retry_base = delivery.attempts
    delivery.status, delivery.next_attempt_at = DeliveryStatus.PENDING.value, now
    await session.flush()
    after = to_read(delivery)
    change = audited_write.Change(
        "webhook_delivery.retried",
        "webhook_delivery",
        str(delivery.id),
        endpoint.owner_org,
        before.model_dump(mode="json"),
        after.model_dump(mode="json"),
    )
    await audited_write.record(session, principal, change)
    return after


async def request_replay(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    body: ReplayRequest,
    stream: EventStream,
    *,
    now: datetime,
) -> ReplayResult:
    """Queue again every event of the log after `since` that the endpoint receives
    (its filter and its owner's scope), each with its original id; at most MAX_REPLAY
    per call."""
    endpoint = await managed(session, principal, endpoint_id)
    if not endpoint.enabled:
        raise EndpointDisabled("Enable the endpoint before replaying to it.")
    log = await replay.window(stream)
    if isinstance(body.since, datetime):
        since = await replay.seq_before(stream, body.since, log)
    else:
        since = body.since
        replay.check_reachable(since, log)
    scan = await replay.matching(
        stream, since, _types_for(endpoint), lambda e: _replayable(endpoint, e), limit=MAX_REPLAY
    )
    rows = [delivery_row(endpoint.id, e, now=now, origin="replay") for e in scan.events]
    await repository.insert_many(session, rows)
    result = ReplayResult(
        queued=len(rows), from_seq=since + 1, to_seq=scan.last_seq, complete=scan.complete
    )
    change = audited_write.Change(
        f"{ENTITY}.replayed",
        ENTITY,
        str(endpoint.id),
        endpoint.owner_org,
        None,
        {"since": body.model_dump(mode="json")["since"]} | result.model_dump(),
    )
    await audited_write.record(session, principal, change)
    return result


def _types_for(endpoint: WebhookEndpoint) -> frozenset[str]:
    """The log's type names (legacy ones too) the endpoint's filter can match."""
    subscription = EndpointFilter(tuple(endpoint.event_types))
    chosen = [t for t in CATALOGUE if t is not WEBHOOK_TESTED and _subscribed(subscription, t.name)]
    return CATALOGUE.names_of(chosen)


def _subscribed(subscription: EndpointFilter, name: str) -> bool:
    return subscription.matches(EventFacts(type=name))


def _replayable(endpoint: WebhookEndpoint, event: Event) -> bool:
    event_type = CATALOGUE.get(event.type)
    if event_type is None:
        return False
    try:
        payload = event_type.parse(event)
    except ValueError:  # an older payload version this code cannot read: not re-sent
        return False
    return receives(Subscriber.of(endpoint), event_type, payload)


async def _delivery(
    session: AsyncSession,
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    *,
    for_update: bool = False,
) -> WebhookDelivery:
    delivery = await repository.get(session, endpoint_id, delivery_id, for_update=for_update)
    if delivery is None:
        raise NotFound(f"No delivery {delivery_id} of webhook endpoint {endpoint_id}.")
    return delivery


def to_read(delivery: WebhookDelivery) -> DeliveryRead:
    status = DeliveryStatus(delivery.status)
    return DeliveryRead(
        id=delivery.id,
        endpoint_id=delivery.endpoint_id,
        event_id=delivery.event_id,
        event_type=delivery.event_type,
        subject=delivery.subject,
        seq=delivery.seq,
        origin=delivery.origin,
        status=status,
        attempts=delivery.attempts,
        next_attempt_at=delivery.next_attempt_at if status is DeliveryStatus.PENDING else None,
        last_attempt_at=delivery.last_attempt_at,
        response_code=delivery.last_status_code,
        reason=delivery.last_reason,
        latency_ms=delivery.last_latency_ms,
        excerpt=delivery.last_excerpt,
        created_at=delivery.created_at,
        delivered_at=delivery.delivered_at,
    )


def _attempt(attempt: WebhookAttempt) -> AttemptRead:
    return AttemptRead(
        number=attempt.number,
        started_at=attempt.started_at,
        finished_at=attempt.finished_at,
        outcome=attempt.outcome,
        reason=attempt.reason,
        status_code=attempt.status_code,
        latency_ms=attempt.latency_ms,
        excerpt=attempt.excerpt,
    )
