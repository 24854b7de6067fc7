"""Keeps escalation's copy of bed figures current from `beds.updated` events."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_escalation.inputs import repository
from wicc_escalation.tables import INBOX
from wicc_shared.catalogue import BEDS_UPDATED
from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.events.consumer import ConsumerConfig, StreamConsumer, Subscription
from wicc_shared.events.envelope import Event
from wicc_shared.runtime import Runtime

CONSUMER_GROUP = "escalation-inputs"


async def apply_beds_updated(session: AsyncSession, _event: Event, beds: BedsUpdated) -> None:
    await repository.upsert_unit_beds(session, beds)


def inputs_consumer(runtime: Runtime) -> StreamConsumer:
    return StreamConsumer(
        runtime.stream,
        runtime.transaction,
        INBOX,
        ConsumerConfig(group=CONSUMER_GROUP),
        [Subscription(BEDS_UPDATED, apply_beds_updated)],
    )
