"""OPEL inputs from the event log: live bed figures, sitreps and the patient-flow
discharge sitrep. Each event's figures are kept (an older figure never replaces a
newer one) and the organisation's OPEL is recomputed in the same transaction, so a
figure and the score made from it commit together, once (the inbox)."""

from __future__ import annotations

from dataclasses import dataclass

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_escalation.inputs import repository
from wicc_escalation.inputs.facts import discharge_sitrep_facts, sitrep_facts
from wicc_escalation.opel import service as opel
from wicc_escalation.opel.setup import OpelSetup
from wicc_escalation.tables import INBOX
from wicc_shared.catalogue import BEDS_UPDATED, SITREP_AMENDED, SITREP_SUBMITTED
from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.catalogue.patients import DISCHARGE_SITREP_UPDATED, DischargeSitrepUpdated
from wicc_shared.catalogue.sitreps import SitrepRecorded
from wicc_shared.events.consumer import ConsumerConfig, StreamConsumer, Subscription
from wicc_shared.events.envelope import Event
from wicc_shared.kernel.reference import BedArea
from wicc_shared.runtime import Runtime

CONSUMER_GROUP = "escalation-inputs"


@dataclass(frozen=True)
class InputHandlers:
    runtime: Runtime  # its clock is read per event: tests move it
    setup: OpelSetup

    async def beds_updated(self, session: AsyncSession, event: Event, beds: BedsUpdated) -> None:
        await repository.upsert_unit_beds(session, beds, str(event.id))
        if beds.bed_area is BedArea.adult_ga:  # the only beds the acute parameters use
            await opel.recompute_org(session, self.setup, beds.org, self.runtime.clock())

    async def sitrep(self, session: AsyncSession, event: Event, sitrep: SitrepRecorded) -> None:
        timezone = await repository.system_timezone(session, sitrep.system)
        now = self.runtime.clock()
        await repository.record_facts(
            session, sitrep.org, sitrep_facts(sitrep, event, timezone), now
        )
        await opel.recompute_org(session, self.setup, sitrep.org, now)

    async def discharge_sitrep(
        self, session: AsyncSession, event: Event, counts: DischargeSitrepUpdated
    ) -> None:
        now = self.runtime.clock()
        await repository.record_facts(
            session, counts.org, discharge_sitrep_facts(counts, event), now
        )
        await opel.recompute_org(session, self.setup, counts.org, now)


def inputs_consumer(runtime: Runtime, setup: OpelSetup) -> StreamConsumer:
    handlers = InputHandlers(runtime, setup)
    return StreamConsumer(
        runtime.stream,
        runtime.transaction,
        INBOX,
        ConsumerConfig(group=CONSUMER_GROUP),
        [
            Subscription(BEDS_UPDATED, handlers.beds_updated),
            Subscription(SITREP_SUBMITTED, handlers.sitrep),
            Subscription(SITREP_AMENDED, handlers.sitrep),
            Subscription(DISCHARGE_SITREP_UPDATED, handlers.discharge_sitrep),
        ],
    )
