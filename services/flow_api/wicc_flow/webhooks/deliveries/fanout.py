"""The dispatcher's first half: a consumer of the event log (group `webhooks`) that
turns each event into one delivery per endpoint that receives it.

The deliveries are written in the consumer's transaction, together with the event's id
in `flow.webhook_inbox`: an event is fanned out exactly once, and every delivery exists
before any attempt to send it is made. The delivery loop is woken after the commit.
"""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Callable
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.tables import WEBHOOK_INBOX
from wicc_flow.webhooks.deliveries import repository
from wicc_flow.webhooks.deliveries.routing import delivery_row, targets
from wicc_flow.webhooks.endpoints import repository as endpoints
from wicc_shared.catalogue import CATALOGUE
from wicc_shared.catalogue.base import EventPayload
from wicc_shared.events.consumer import ConsumerConfig, StreamConsumer, Subscription
from wicc_shared.events.envelope import Event
from wicc_shared.runtime import Runtime

CONSUMER_GROUP = "webhooks"
_QUEUED = "wicc_webhook_deliveries_queued"


async def fan_out(session: AsyncSession, event: Event, payload: EventPayload, now: datetime) -> int:
    """Queue `event` for every endpoint that receives it; return how many."""
    event_type = CATALOGUE.get(event.type)
    if event_type is None:
        return 0
    chosen = targets(await endpoints.subscribers(session), event_type, payload)
    await repository.insert_many(session, [delivery_row(e.id, event, now=now) for e in chosen])
    if chosen:
        session.info[_QUEUED] = True
    return len(chosen)


def fanout_consumer(runtime: Runtime, wake: Callable[[], None]) -> StreamConsumer:
    async def handle(session: AsyncSession, event: Event, payload: EventPayload) -> None:
        await fan_out(session, event, payload, runtime.clock())

    @contextlib.asynccontextmanager
    async def transaction() -> AsyncIterator[AsyncSession]:
        async with runtime.transaction() as session:
            yield session
        if session.info.get(_QUEUED):  # committed: the deliveries are there to send
            wake()

    return StreamConsumer(
        runtime.stream,
        transaction,
        WEBHOOK_INBOX,
        ConsumerConfig(group=CONSUMER_GROUP),
        [Subscription(event_type, handle) for event_type in CATALOGUE],
    )
