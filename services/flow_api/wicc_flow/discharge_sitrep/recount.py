"""The recount after every change to a trust's list: the trust's discharge sitrep for
the current day (in its system's time zone), announced as `discharge_sitrep.updated`
in the transaction of the change.

Callers hold the organisation's patient lock (`patients.repository.lock_org`), so two
changes to one trust's list recount one after the other, each seeing the other's
committed change: the last event of a trust always carries its latest counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, time, timedelta, tzinfo
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.discharge_sitrep import events, repository
from wicc_flow.patients import repository as patients
from wicc_flow.patients.config import PatientFlow
from wicc_flow.patients.conversion import to_stay
from wicc_flow.patients.discharge_sitrep import derive
from wicc_flow.patients.records import local_date
from wicc_flow.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.catalogue.patients import DISCHARGE_SITREP_UPDATED, DischargeSitrepUpdated
from wicc_shared.kernel.models import CareSystem


@dataclass(frozen=True, slots=True)
class Day:
    """A calendar day of a system and the instants it starts and ends."""

    day: date
    start: datetime
    end: datetime

    @classmethod
    def of(cls, now: datetime, tz: tzinfo) -> Day:
        return cls.on(local_date(now, tz), tz)

    @classmethod
    def on(cls, day: date, tz: tzinfo) -> Day:
        start = datetime.combine(day, time(0), tzinfo=tz)
        end = datetime.combine(day + timedelta(days=1), time(0), tzinfo=tz)
        return cls(day, start, end)


def zone_of(system: CareSystem) -> ZoneInfo:
    return ZoneInfo(system.timezone)


async def recount(
    session: AsyncSession,
    actor: audited_write.Actor,
    org: str,
    system: CareSystem,
    flow: PatientFlow,
    *,
    now: datetime,
) -> DischargeSitrepUpdated:
    """Count `org`'s sitrep for today and announce it (audited, with its event)."""
    tz = zone_of(system)
    day = Day.of(now, tz)
    stays = [to_stay(p) for p in await patients.stays_for_day(session, org, day.day, day.start)]
    sitrep = derive(stays, org=org, day=day.day, reasons=flow.reasons, tz=tz)
    payload = events.sitrep_updated(
        sitrep, stays, system=system.code, tz=tz, as_of=now, valid_until=day.end
    )
    counts = {"nctr_patients": sitrep.nctr_patients, "discharged": sitrep.discharged}
    change = audited_write.Change(
        action=DISCHARGE_SITREP_UPDATED.name,
        entity_type="discharge_sitrep",
        entity_id=f"{org}/{day.day.isoformat()}",
        org_ods=org,
        before=None,
        after=counts | {"remaining": sitrep.remaining},
    )
    announcement = audited_write.announce(OUTBOX, DISCHARGE_SITREP_UPDATED, payload)
    await audited_write.record(session, actor, change, announcement)
    await repository.remember(session, org, system.code, day.day, sitrep.nctr_patients, now)
    return payload
