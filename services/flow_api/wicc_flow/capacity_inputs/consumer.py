"""Learns care capacity and each trust's sitrep `nctr_patients` from the capacity
service's events: a consumer group of the worker (`flow-capacity-inputs`), each event
applied once through flow's inbox."""

from __future__ import annotations

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.capacity_inputs import repository
from wicc_flow.tables import INBOX
from wicc_shared.catalogue import CARE_CAPACITY_UPDATED, SITREP_AMENDED, SITREP_SUBMITTED
from wicc_shared.catalogue.care import CareCapacityUpdated
from wicc_shared.catalogue.sitreps import SitrepRecorded
from wicc_shared.events.consumer import ConsumerConfig, StreamConsumer, Subscription
from wicc_shared.events.envelope import Event
from wicc_shared.runtime import Runtime

CONSUMER_GROUP = "flow-capacity-inputs"


async def apply_care_capacity(
    session: AsyncSession, _event: Event, care: CareCapacityUpdated
) -> None:
    await repository.upsert_care(session, care)


async def apply_sitrep(session: AsyncSession, event: Event, sitrep: SitrepRecorded) -> None:
    await repository.upsert_sitrep_nctr(session, sitrep, event.time)


def capacity_inputs_consumer(runtime: Runtime) -> StreamConsumer:
    return StreamConsumer(
        runtime.stream,
        runtime.transaction,
        INBOX,
        ConsumerConfig(group=CONSUMER_GROUP),
        [
            Subscription(CARE_CAPACITY_UPDATED, apply_care_capacity),
            Subscription(SITREP_SUBMITTED, apply_sitrep),
            Subscription(SITREP_AMENDED, apply_sitrep),
        ],
    )
