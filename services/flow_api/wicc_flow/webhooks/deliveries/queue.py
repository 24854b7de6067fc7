"""The dispatcher's statements: what may be sent, claiming it under a lease, taking
back what a dead dispatcher left, and recording each attempt's answer.

A claim is committed before the request is sent: the delivery turns `in_flight` with a
lease (`lease_token`, `lease_until`) and its attempt row is written. A dispatcher that
dies mid-delivery leaves the lease to expire; `reclaim_expired` then marks that attempt
`abandoned` and makes the delivery pending again, to be sent with the same event id.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    Table,
    and_,
    bindparam,
    func,
    insert,
    literal,
    or_,
    select,
    true,
    tuple_,
    update,
)
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.sql import Subquery

from wicc_flow.webhooks.deliveries.repository import ATTEMPT, DELIVERY
from wicc_flow.webhooks.endpoints.models import WebhookEndpoint
from wicc_flow.webhooks.ordering import OPEN, DeliveryStatus, PendingDelivery

ENDPOINT: Table = WebhookEndpoint.__table__  # type: ignore[attr-defined]
_OPEN = [status.value for status in OPEN]
PENDING, IN_FLIGHT = DeliveryStatus.PENDING.value, DeliveryStatus.IN_FLIGHT.value

Candidate = PendingDelivery[uuid.UUID, uuid.UUID]


@dataclass(frozen=True)
class Claimed:
    """A delivery claimed for one attempt, with what sending it needs."""

    delivery_id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID
    body: str
    attempt: int  # this attempt's number (1 = the first)
    schedule_attempt: int  # its place in the retry schedule (restarts after a manual retry)
    lease_token: uuid.UUID
    url: str
    max_in_flight: int
    secret: str
    previous_secret: str | None
    previous_secret_until: datetime | None


_PLAN_COLUMNS = (
    DELIVERY.c.id,
    DELIVERY.c.endpoint_id,
    DELIVERY.c.subject,
    DELIVERY.c.seq,
    DELIVERY.c.status,
    DELIVERY.c.next_attempt_at,
)


async def due_heads(
    session: AsyncSession, now: datetime, limit: int, *, busy: Collection[uuid.UUID] = ()
) -> tuple[list[Candidate], dict[uuid.UUID, int]]:
    """The earliest open delivery of each (endpoint, subject), where it is pending and
    due on an enabled endpoint that is not held back; and those endpoints' limits.

    Endpoints in `busy` (at their limit) are left out (of their backlog only the head of
    each subject is read), and no endpoint takes more than its limit of the `limit`
    rows: a receiver that hangs with thousands of deliveries waiting never crowds the
    others out of the plan.
    """
    heads = _heads()
    rank = (
        func.row_number()
        .over(partition_by=heads.c.endpoint_id, order_by=(heads.c.next_attempt_at, heads.c.seq))
        .label("rank")
    )
    ranked = (
        select(heads, ENDPOINT.c.max_in_flight, rank)
        .join(ENDPOINT, ENDPOINT.c.id == heads.c.endpoint_id)
        .where(
            heads.c.status == PENDING,
            heads.c.next_attempt_at <= now,
            heads.c.endpoint_id.notin_(list(busy)),
            ENDPOINT.c.enabled,
            or_(ENDPOINT.c.paused_until.is_(None), ENDPOINT.c.paused_until <= now),
        )
        .subquery("ranked")
    )
    query = (
        select(ranked)
        .where(ranked.c.rank <= ranked.c.max_in_flight)
        .order_by(ranked.c.next_attempt_at, ranked.c.seq)
        .limit(limit)
    )
    rows = (await session.execute(query)).all()
    limits = {row.endpoint_id: row.max_in_flight for row in rows}
    return [_candidate(row) for row in rows], limits


async def in_flight(session: AsyncSession) -> tuple[list[Candidate], dict[uuid.UUID, int]]:
    """Every delivery in flight, and its endpoint's limit."""
    query = (
        select(*_PLAN_COLUMNS, ENDPOINT.c.max_in_flight)
        .join(ENDPOINT, ENDPOINT.c.id == DELIVERY.c.endpoint_id)
        .where(DELIVERY.c.status == IN_FLIGHT)
    )
    rows = (await session.execute(query)).all()
    limits = {row.endpoint_id: row.max_in_flight for row in rows}
    return [_candidate(row) for row in rows], limits


def _heads() -> Subquery:
    """The earliest open delivery of each (endpoint, subject).

    A skip scan of the open deliveries' index: each step jumps to the next (endpoint,
    subject) pair, then one probe reads that pair's head. So a round costs about one
    probe per pair, however long the backlog behind each head. (`DISTINCT ON` sorted
    every open delivery: with 20,000 waiting, about 100 ms a round.) Busy endpoints are
    left out afterwards, not here: skipping them here would walk their whole backlog.
    """
    is_open = DELIVERY.c.status.in_(_OPEN)
    pair = (DELIVERY.c.endpoint_id, DELIVERY.c.subject)
    first = select(*pair).where(is_open).order_by(*pair).limit(1)
    pairs = first.cte("pairs", recursive=True)
    following = (
        select(*pair)
        .where(is_open, tuple_(*pair) > tuple_(pairs.c.endpoint_id, pairs.c.subject))
        .order_by(*pair)
        .limit(1)
        .lateral("following")
    )
    pairs = pairs.union_all(select(following).select_from(pairs.join(following, true())))
    head = (
        select(*_PLAN_COLUMNS)
        .where(
            is_open,
            DELIVERY.c.endpoint_id == pairs.c.endpoint_id,
            DELIVERY.c.subject == pairs.c.subject,
        )
        .order_by(DELIVERY.c.seq)
        .limit(1)
        .lateral("head")
    )
    return select(head).select_from(pairs.join(head, true())).subquery("heads")


def _candidate(row: Any) -> Candidate:
    return PendingDelivery(
        delivery_id=row.id,
        endpoint_id=row.endpoint_id,
        subject=row.subject,
        seq=row.seq,
        status=DeliveryStatus(row.status),
        next_attempt_at=row.next_attempt_at,
    )


async def claim(
    session: AsyncSession,
    ids: Sequence[uuid.UUID],
    *,
    now: datetime,
    lease_until: datetime,
) -> list[Claimed]:
    """Claim these pending deliveries for one attempt each, and write the attempts."""
    if not ids:
        return []
    token = uuid.uuid4()
    claimed = (
        update(DELIVERY)
        .where(
            DELIVERY.c.id.in_(ids),
            DELIVERY.c.status == PENDING,
            ENDPOINT.c.id == DELIVERY.c.endpoint_id,
        )
        .values(
            status=IN_FLIGHT,
            attempts=DELIVERY.c.attempts + 1,
            lease_token=token,
            lease_until=lease_until,
            last_attempt_at=now,
        )
        .returning(
            DELIVERY.c.id,
            DELIVERY.c.endpoint_id,
            DELIVERY.c.event_id,
            DELIVERY.c.body,
            DELIVERY.c.attempts,
            DELIVERY.c.retry_base,
            ENDPOINT.c.url,
            ENDPOINT.c.max_in_flight,
            ENDPOINT.c.secret,
            ENDPOINT.c.previous_secret,
            ENDPOINT.c.previous_secret_until,
        )
    )
    # The attempts are written by the same statement: one round trip per round.
    claimed_rows = claimed.cte("claimed")
    attempts = insert(ATTEMPT).from_select(
        ["delivery_id", "number", "started_at", "outcome"],
        select(
            claimed_rows.c.id,
            claimed_rows.c.attempts,
            literal(now, ATTEMPT.c.started_at.type),
            literal(IN_FLIGHT, ATTEMPT.c.outcome.type),
        ),
    )
    statement = select(claimed_rows).add_cte(attempts.cte("attempted"))
    rows = (await session.execute(statement)).all()
    return [
        Claimed(
            delivery_id=r.id,
            endpoint_id=r.endpoint_id,
            event_id=r.event_id,
            body=r.body,
            attempt=r.attempts,
            schedule_attempt=r.attempts - r.retry_base,
            lease_token=token,
            url=r.url,
            max_in_flight=r.max_in_flight,
            secret=r.secret,
            previous_secret=r.previous_secret,
            previous_secret_until=r.previous_secret_until,
        )
        for r in rows
    ]


async def reclaim_expired(session: AsyncSession, now: datetime) -> int:
    """Make deliveries whose lease expired pending again (due now), their attempt
    marked `abandoned`: the dispatcher that claimed them stopped before recording."""
    expired = (
        await session.execute(
            update(DELIVERY)
            .where(DELIVERY.c.status == IN_FLIGHT, DELIVERY.c.lease_until < now)
            .values(
                status=PENDING,
                next_attempt_at=now,
                lease_token=None,
                lease_until=None,
                last_reason="lease_expired",
            )
            .returning(DELIVERY.c.id, DELIVERY.c.attempts)
        )
    ).all()
    if expired:
        await session.execute(
            update(ATTEMPT)
            .where(
                tuple_(ATTEMPT.c.delivery_id, ATTEMPT.c.number).in_(
                    [(row.id, row.attempts) for row in expired]
                ),
                ATTEMPT.c.finished_at.is_(None),
            )
            .values(outcome="abandoned", reason="lease_expired", finished_at=now)
        )
    return len(expired)


async def fail_strays(session: AsyncSession) -> int:
    """Fail the pending deliveries of disabled endpoints.

    Disabling an endpoint fails what waits for it, but an event being fanned out at that
    moment read the endpoint as enabled and commits its delivery just after: without this
    sweep it would wait, never sent, for ever.
    """
    result = await session.execute(
        update(DELIVERY)
        .where(
            DELIVERY.c.endpoint_id == ENDPOINT.c.id,
            DELIVERY.c.status == PENDING,
            ENDPOINT.c.enabled.is_(False),
        )
        .values(
            status=DeliveryStatus.FAILED.value,
            last_reason=literal("endpoint_")
            + func.coalesce(ENDPOINT.c.disabled_reason, "disabled"),
        )
    )
    return int(getattr(result, "rowcount", 0) or 0)


@dataclass(frozen=True)
class Answer:
    """What one attempt came to, ready to store."""

    delivery_id: uuid.UUID
    number: int
    lease_token: uuid.UUID
    finished_at: datetime
    outcome: str  # delivered | failed | gone
    reason: str
    status_code: int | None
    latency_ms: float
    excerpt: str
    status: DeliveryStatus  # of the delivery, after this attempt
    next_attempt_at: datetime | None


_FINISH_ATTEMPT = (
    update(ATTEMPT)
    .where(
        ATTEMPT.c.delivery_id == bindparam("b_delivery_id"),
        ATTEMPT.c.number == bindparam("b_number"),
        ATTEMPT.c.finished_at.is_(None),
    )
    .values(
        finished_at=bindparam("b_finished_at"),
        outcome=bindparam("b_outcome"),
        reason=bindparam("b_reason"),
        status_code=bindparam("b_status_code"),
        latency_ms=bindparam("b_latency_ms"),
        excerpt=bindparam("b_excerpt"),
    )
)
# Only while the lease is still this attempt's: a lease that expired and was taken
# back belongs to a newer attempt, whose answer decides.
_FINISH_DELIVERY = (
    update(DELIVERY)
    .where(
        and_(
            DELIVERY.c.id == bindparam("b_delivery_id"),
            DELIVERY.c.lease_token == bindparam("b_lease_token"),
        )
    )
    .values(
        status=bindparam("b_status"),
        next_attempt_at=bindparam("b_next_attempt_at"),
        lease_token=None,
        lease_until=None,
        last_status_code=bindparam("b_status_code"),
        last_reason=bindparam("b_reason"),
        last_latency_ms=bindparam("b_latency_ms"),
        last_excerpt=bindparam("b_excerpt"),
        delivered_at=bindparam("b_delivered_at"),
    )
)


async def record(session: AsyncSession, answers: Sequence[Answer]) -> None:
    """Store a batch of answers: two statements, whatever the batch's size."""
    if not answers:
        return
    params = [_params(answer) for answer in answers]
    await session.execute(_FINISH_ATTEMPT, params)
    await session.execute(_FINISH_DELIVERY, params)


def _params(answer: Answer) -> dict[str, Any]:
    delivered = answer.status is DeliveryStatus.DELIVERED
    return {
        "b_delivery_id": answer.delivery_id,
        "b_number": answer.number,
        "b_lease_token": answer.lease_token,
        "b_finished_at": answer.finished_at,
        "b_outcome": answer.outcome,
        "b_reason": answer.reason,
        "b_status_code": answer.status_code,
        "b_latency_ms": answer.latency_ms,
        "b_excerpt": answer.excerpt,
        "b_status": answer.status.value,
        # A finished delivery keeps its last planned time; nothing reads it again.
        "b_next_attempt_at": answer.next_attempt_at or answer.finished_at,
        "b_delivered_at": answer.finished_at if delivered else None,
    }


async def open_by_endpoint(session: AsyncSession) -> list[tuple[uuid.UUID, int, datetime]]:
    """Per endpoint with deliveries waiting: how many, and when the oldest was queued."""
    rows = (
        await session.execute(
            select(DELIVERY.c.endpoint_id, func.count(), func.min(DELIVERY.c.created_at))
            .where(DELIVERY.c.status.in_(_OPEN))
            .group_by(DELIVERY.c.endpoint_id)
        )
    ).all()
    return [(row[0], int(row[1]), row[2]) for row in rows]
