"""The derived discharge sitrep of one trust and date, counted on each read."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.capacity_inputs import repository as capacity_inputs
from wicc_flow.discharge_sitrep.recount import Day, zone_of
from wicc_flow.discharge_sitrep.schemas import (
    BandFigures,
    CapacityComparison,
    DischargeSitrepRead,
    PathwayFigures,
    ReasonFigures,
)
from wicc_flow.patients import repository as patients
from wicc_flow.patients.config import PatientFlow
from wicc_flow.patients.conversion import to_stay
from wicc_flow.patients.delay_bands import BandTally
from wicc_flow.patients.discharge_sitrep import DischargeSitrep, derive
from wicc_flow.patients.records import local_date
from wicc_shared.errors import FieldError, NotFound, ValidationFailed


@dataclass(frozen=True)
class Derived:
    sitrep: DischargeSitrep
    system: str
    as_of: datetime


async def derived(
    session: AsyncSession, org: str, day: date, flow: PatientFlow, *, now: datetime
) -> Derived:
    found = await patients.active_org(session, org)
    if found is None:
        raise NotFound(f"No active organisation with ODS code {org!r}.")
    _org, system = found
    tz = zone_of(system)
    if day > local_date(now, tz):
        raise ValidationFailed(
            [FieldError("date", "the day has not begun", location="path", code="future_date")]
        )
    bounds = Day.on(day, tz)
    stays = [to_stay(p) for p in await patients.stays_for_day(session, org, day, bounds.start)]
    reported = await capacity_inputs.sitrep_nctr(session, org, day)
    sitrep = derive(
        stays, org=org, day=day, reasons=flow.reasons, tz=tz, capacity_nctr_patients=reported
    )
    return Derived(sitrep=sitrep, system=system.code, as_of=now)


def to_read(found: Derived) -> DischargeSitrepRead:
    s = found.sitrep
    comparison = s.capacity_comparison
    return DischargeSitrepRead(
        org=s.org,
        system=found.system,
        date=s.date,
        as_of=found.as_of,
        reasons_version=s.reasons_version,
        nctr_patients=s.nctr_patients,
        discharged=s.discharged,
        remaining=s.remaining,
        by_pathway=[
            PathwayFigures(
                pathway=int(p.pathway),
                nctr_patients=p.nctr_patients,
                discharged=p.discharged,
                remaining=p.remaining,
            )
            for p in s.by_pathway
        ],
        by_reason=[ReasonFigures(reason=r.reason, remaining=r.remaining) for r in s.by_reason],
        discharged_bands=_bands(s.discharged_bands),
        remaining_bands=_bands(s.remaining_bands),
        capacity_sitrep=None
        if comparison is None
        else CapacityComparison(
            reported=comparison.reported,
            difference=comparison.difference,
            differs=comparison.differs,
        ),
    )


def _bands(tallies: tuple[BandTally, ...]) -> list[BandFigures]:
    return [
        BandFigures(band=t.band.label, patients=t.patients, bed_days=t.bed_days) for t in tallies
    ]
