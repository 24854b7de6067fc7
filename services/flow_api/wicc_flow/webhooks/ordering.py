"""Which pending deliveries may be attempted now, keeping order within each subject.

Deliveries to one endpoint about one subject (a unit, an organisation) are made in
event order: only the earliest open delivery of a subject may be attempted, and only
when nothing of that subject is in flight (not even a later event's: a replay or a
manual retry can reopen an earlier event while a later one is being sent). So a
failing delivery holds back the later ones about the same subject, but never another
subject's, and never the whole endpoint.

Each endpoint also has a limit on deliveries in flight, so one slow or hanging receiver
takes at most its own share of the dispatcher. The limit is on requests waiting for an
answer: a delivery whose answer has come back but is not yet stored (`answered`) still
holds its subject, but no longer takes one of its endpoint's places.

A delivery given up after its last attempt (FAILED) no longer holds its subject: the
later ones go ahead, and the failed one stays visible for a manual retry or a replay.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Hashable, Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum
from typing import Generic, TypeVar

DEFAULT_MAX_IN_FLIGHT = 4

D = TypeVar("D", bound=Hashable)  # a delivery's id
E = TypeVar("E", bound=Hashable)  # an endpoint's id


class DeliveryStatus(StrEnum):
    PENDING = "pending"  # waiting for its first attempt or its next retry
    IN_FLIGHT = "in_flight"  # an attempt is being made
    DELIVERED = "delivered"
    FAILED = "failed"  # given up, or its endpoint was disabled


OPEN = frozenset({DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT})


@dataclass(frozen=True)
class PendingDelivery(Generic[D, E]):
    """One event to send to one endpoint. `seq` is the event's position in the log."""

    delivery_id: D
    endpoint_id: E
    subject: str
    seq: int
    status: DeliveryStatus
    next_attempt_at: datetime


def plan(
    deliveries: Iterable[PendingDelivery[D, E]],
    *,
    now: datetime,
    limits: Mapping[E, int],
    default_limit: int = DEFAULT_MAX_IN_FLIGHT,
    paused_until: Mapping[E, datetime] | None = None,
    answered: Collection[D] = (),
) -> list[PendingDelivery[D, E]]:
    """The deliveries to attempt now, the longest-waiting first.

    `deliveries` must include every open (pending or in-flight) delivery of the
    endpoints concerned, not only the due ones: an earlier delivery waiting for its
    retry is what holds the later ones of its subject. `limits` gives an endpoint's
    maximum in flight (`default_limit` otherwise); `paused_until` holds back a whole
    endpoint, for instance after a 429 with Retry-After. `answered` are in-flight
    deliveries whose answer is in but not yet recorded.
    """
    open_ = [d for d in deliveries if d.status in OPEN]
    sending = [d for d in open_ if d.status is DeliveryStatus.IN_FLIGHT]
    in_flight = Counter(d.endpoint_id for d in sending if d.delivery_id not in answered)
    busy = {(d.endpoint_id, d.subject) for d in sending}
    due = [
        head
        for key, head in _heads(open_).items()
        if key not in busy and _may_start(head, now, paused_until or {})
    ]
    chosen: list[PendingDelivery[D, E]] = []
    for delivery in sorted(due, key=lambda d: (d.next_attempt_at, d.seq)):
        endpoint = delivery.endpoint_id
        if in_flight[endpoint] < limits.get(endpoint, default_limit):
            in_flight[endpoint] += 1
            chosen.append(delivery)
    return chosen


def _heads(open_: list[PendingDelivery[D, E]]) -> dict[tuple[E, str], PendingDelivery[D, E]]:
    """The earliest open delivery of each (endpoint, subject).

    The sort is stable, so of two deliveries of one event (a replay while the original
    is still open) the one listed first leads.
    """
    heads: dict[tuple[E, str], PendingDelivery[D, E]] = {}
    for delivery in sorted(open_, key=lambda d: d.seq):
        heads.setdefault((delivery.endpoint_id, delivery.subject), delivery)
    return heads


def _may_start(
    head: PendingDelivery[D, E], now: datetime, paused_until: Mapping[E, datetime]
) -> bool:
    if head.status is not DeliveryStatus.PENDING or head.next_attempt_at > now:
        return False
    pause = paused_until.get(head.endpoint_id)
    return pause is None or pause <= now
