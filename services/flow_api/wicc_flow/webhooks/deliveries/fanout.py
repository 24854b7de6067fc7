"""The dispatcher's first half: a consumer of the event log (group `webhooks`) that
turns each event into one delivery per endpoint that receives it.

The deliveries are written in the consumer's transaction, together with the event's id
in `flow.webhook_inbox`: an event is fanned out exactly once, and every delivery exists
before any attempt to send it is made. The delivery loop is woken after the commit.

Each read of the stream (up to 100 events) is fanned out in one transaction, not one
per event: in a process busy with requests every await of a transaction waits its turn
on the event loop, and at 250 bed updates a second one transaction per event fanned
out about a dozen events a second, the deliveries tens of seconds behind their events.
A batch that fails is taken again one event at a time, as any consumer does (retries,
dead letters), so one bad event holds back no other.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import uuid
from collections.abc import AsyncIterator, Awaitable, Callable, Sequence
from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.tables import WEBHOOK_INBOX
from wicc_flow.webhooks.deliveries import repository
from wicc_flow.webhooks.deliveries.routing import delivery_row, targets
from wicc_flow.webhooks.endpoints import repository as endpoints
from wicc_shared.catalogue import CATALOGUE
from wicc_shared.catalogue.base import EventPayload
from wicc_shared.events.consumer import (
    ConsumerConfig,
    StreamConsumer,
    Subscription,
    Transaction,
)
from wicc_shared.events.envelope import Event
from wicc_shared.metrics import EVENTS_CONSUMED
from wicc_shared.runtime import Runtime

logger = logging.getLogger(__name__)
CONSUMER_GROUP = "webhooks"
_QUEUED = "wicc_webhook_deliveries_queued"


async def fan_out(session: AsyncSession, event: Event, payload: EventPayload, now: datetime) -> int:
    """Queue `event` for every endpoint that receives it; return how many."""
    return await fan_out_many(session, [(event, payload)], now)


async def fan_out_many(
    session: AsyncSession, events: Sequence[tuple[Event, EventPayload]], now: datetime
) -> int:
    """`fan_out` for several events, the endpoints read once; return the deliveries."""
    subscribers = await endpoints.subscribers(session)
    rows = []
    for event, payload in events:
        event_type = CATALOGUE.get(event.type)
        if event_type is not None:
            chosen = targets(subscribers, event_type, payload)
            rows += [delivery_row(e.id, event, now=now) for e in chosen]
    await repository.insert_many(session, rows)
    if rows:
        session.info[_QUEUED] = True
    return len(rows)


class FanoutConsumer(StreamConsumer):
    """The stream consumer, one transaction per read instead of one per event."""

    def __init__(self, runtime: Runtime, transaction: Transaction) -> None:
        super().__init__(
            runtime.stream,
            transaction,
            WEBHOOK_INBOX,
            ConsumerConfig(group=CONSUMER_GROUP),
            [Subscription(event_type, _one(runtime)) for event_type in CATALOGUE],
        )
        self.runtime = runtime

    async def handle_read(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        if entries and not await self._apply_all(entries):
            for entry_id, fields in entries:  # one at a time: retries and dead letters
                await self.handle_entry(entry_id, fields)

    async def _apply_all(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> bool:
        """Fan out every entry in one transaction; False (nothing done) on any failure."""
        try:
            events = _parsed(entries)
            async with self.transaction() as session:
                fresh = await _first_time(session, self.config.group, [e.id for e, _ in events])
                await fan_out_many(
                    session, [(e, p) for e, p in events if e.id in fresh], self.runtime.clock()
                )
        except asyncio.CancelledError:
            raise
        except Exception:
            logger.warning("webhook fan-out of a batch failed; one event at a time", exc_info=True)
            return False
        self._done.extend(entry_id for entry_id, _ in entries)
        EVENTS_CONSUMED.labels(group=self.config.group, outcome="ok").inc(len(events))
        return True


def _parsed(entries: list[tuple[bytes, dict[bytes, bytes]]]) -> list[tuple[Event, EventPayload]]:
    events = []
    for entry_id, fields in entries:
        if not fields:  # trimmed away while pending
            continue
        event = Event.from_stream(entry_id, fields[b"e"])
        event_type = CATALOGUE.get(event.type)
        if event_type is not None:
            events.append((event, event_type.parse(event)))
    return events


async def _first_time(session: AsyncSession, group: str, ids: list[uuid.UUID]) -> set[uuid.UUID]:
    """Record these events in the inbox; return those not fanned out before."""
    if not ids:
        return set()
    claimed = await session.execute(
        insert(WEBHOOK_INBOX)
        .values([{"consumer": group, "event_id": event_id} for event_id in ids])
        .on_conflict_do_nothing()
        .returning(WEBHOOK_INBOX.c.event_id)
    )
    return set(claimed.scalars())


def _one(runtime: Runtime) -> Callable[[AsyncSession, Event, EventPayload], Awaitable[None]]:
    async def handle(session: AsyncSession, event: Event, payload: EventPayload) -> None:
        await fan_out(session, event, payload, runtime.clock())

    return handle


def fanout_consumer(runtime: Runtime, wake: Callable[[], None]) -> StreamConsumer:
    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncSession]:
        async with runtime.transaction() as session:
            yield session
        if session.info.get(_QUEUED):  # committed: the deliveries are there to send
            wake()

    return FanoutConsumer(runtime, transaction)
