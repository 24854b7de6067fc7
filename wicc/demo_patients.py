"""Demo discharge-ready patients for the Wiltshire system: a believable picture of the
time of the system review (40-80 medically fit patients waiting at each acute trust),
spread over pathways, destination localities and delay reasons, with red and green
days for the last three days. Written through the patient service, so every record is
audited and announced and the board shows the counts at once. No NHS numbers: demo
records never hold personal data."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc.demo import DEMO_PRINCIPAL
from wicc_flow.patients import service
from wicc_flow.patients.config import PatientFlow
from wicc_flow.patients.models import Patient
from wicc_flow.patients.records import local_date
from wicc_flow.patients.schemas import DischargeBody, DischargeDestination, PatientCreate
from wicc_flow.red_green import service as red_green
from wicc_flow.red_green.reasons import RedReason
from wicc_flow.red_green.schemas import Colour, DayRecord
from wicc_shared.kernel.models import CareSystem, Locality, Organisation, Unit

# Among patients still waiting, later pathways wait longest, so they are over-represented
# against the share of discharges (P0 is about half of all discharges).
PATHWAY_WEIGHTS = (22, 46, 19, 13)
DELAYS_BY_PATHWAY: dict[int, tuple[str, ...]] = {
    0: ("transport", "medicines", "medical", "diagnostics", "not_in_agreement"),
    1: ("p1_care_at_home", "p1_care_at_home", "equipment", "hub_confirmation"),
    2: ("p2_bed", "p2_bed", "therapy"),
    3: ("p3_care_home.residential", "p3_care_home.nursing", "safeguarding", "homeless"),
}
RED_BY_PATHWAY = {
    0: ("awaiting_transport", "awaiting_test_result", "awaiting_medicines", "no_plan"),
    1: ("awaiting_care_package", "awaiting_assessment"),
    2: ("awaiting_community_bed", "awaiting_therapy"),
    3: ("awaiting_care_home", "awaiting_family"),
}


async def seed_demo_patients(
    session: AsyncSession, flow: PatientFlow, *, seed: int = 11, now: datetime | None = None
) -> int:
    """List demo patients at every acute trust, unless any record exists; return how many."""
    if await session.scalar(select(func.count()).select_from(Patient)):
        return 0
    rng = random.Random(seed)
    now = (now or datetime.now(UTC)).replace(microsecond=0)
    listed = 0
    for org, system in await _acute_trusts(session):
        tz = ZoneInfo(system.timezone)
        units = await _wards(session, org.ods)
        localities = await _localities(session, system.code)
        for n in range(rng.randint(40, 80)):
            body = _record(rng, org, units, localities, local_date(now, tz), tz, n)
            written = await service.create(session, DEMO_PRINCIPAL, body, flow, now=now)
            await _days(session, rng, written.read.id, body, flow, now, tz)
            listed += 1
        await _discharge_some(session, rng, org.ods, flow, now, tz)
    return listed


async def _acute_trusts(session: AsyncSession) -> list[tuple[Organisation, CareSystem]]:
    rows = await session.execute(
        select(Organisation, CareSystem)
        .join(CareSystem, col(CareSystem.code) == col(Organisation.system_code))
        .where(col(Organisation.kind) == "acute", col(Organisation.active))
        .order_by(col(Organisation.ods))
    )
    return [(row[0], row[1]) for row in rows.all()]


async def _wards(session: AsyncSession, ods: str) -> list[str]:
    rows = await session.execute(
        select(col(Unit.id)).where(
            col(Unit.org_ods) == ods, col(Unit.bed_area) == "adult_ga", col(Unit.active)
        )
    )
    return sorted(rows.scalars().all())


async def _localities(session: AsyncSession, system: str) -> list[str]:
    rows = await session.execute(
        select(col(Locality.code)).where(col(Locality.system_code) == system)
    )
    return sorted(rows.scalars().all())


def _record(
    rng: random.Random,
    org: Organisation,
    units: list[str],
    localities: list[str],
    today: date,
    tz: ZoneInfo,
    n: int,
) -> PatientCreate:
    pathway = rng.choices(range(4), weights=PATHWAY_WEIGHTS)[0]
    # Most wait days, some weeks: the long tail the bands show.
    ready = today - timedelta(days=min(45, int(rng.expovariate(1 / 7))))
    admitted = datetime.combine(ready - timedelta(days=rng.randint(1, 12)), time(0), tz)
    admitted += timedelta(minutes=rng.randint(0, 24 * 60 - 1))
    home = org.locality_code if org.locality_code in localities else rng.choice(localities)
    locality = home if rng.random() < 0.6 else rng.choice(localities)
    return PatientCreate(
        org=org.ods,
        unit_id=rng.choice(units),
        local_ref=f"DEMO-{org.ods}-{n + 1:04d}",
        admitted_at=admitted.astimezone(UTC),
        discharge_ready_date=ready,
        pathway=pathway,
        destination_locality=locality,
        expected_discharge_date=today + timedelta(days=rng.randint(0, 10)),
        delays=_delays(rng, pathway, ready, today),
    )


def _delays(rng: random.Random, pathway: int, ready: date, today: date) -> list[Any]:
    if rng.random() < 0.15:
        return []  # no reason recorded yet: shows as `none_recorded`
    start = min(today, ready + timedelta(days=rng.randint(0, 2)))
    delays = [{"reason": rng.choice(DELAYS_BY_PATHWAY[pathway]), "from": start.isoformat()}]
    if rng.random() < 0.25 and ready < start:
        # A hub referral that took a day or two before the main wait began.
        delays.append(
            {"reason": "hub_referral", "from": ready.isoformat(), "to": start.isoformat()}
        )
    return delays


async def _days(
    session: AsyncSession,
    rng: random.Random,
    patient_id: Any,
    body: PatientCreate,
    flow: PatientFlow,
    now: datetime,
    tz: ZoneInfo,
) -> None:
    if rng.random() < 0.4:
        return  # not every ward records red and green days
    today = local_date(now, tz)
    first = max(local_date(body.admitted_at, tz), today - timedelta(days=2))
    for offset in range((today - first).days + 1):
        red = rng.random() < 0.45
        record = DayRecord(
            colour=Colour.red if red else Colour.green,
            reason=RedReason(rng.choice(RED_BY_PATHWAY[body.pathway])) if red else None,
            recorded_by="Demo ward round",
        )
        day = first + timedelta(days=offset)
        await red_green.record_day(session, DEMO_PRINCIPAL, patient_id, day, record, flow, now=now)


async def _discharge_some(
    session: AsyncSession,
    rng: random.Random,
    ods: str,
    flow: PatientFlow,
    now: datetime,
    tz: ZoneInfo,
) -> None:
    """A few left this morning: the sitrep's `discharged` is not always 0."""
    rows = await session.execute(
        select(Patient).where(col(Patient.org_ods) == ods).order_by(col(Patient.local_ref))
    )
    patients = list(rows.scalars().all())
    for patient in rng.sample(patients, k=min(len(patients), rng.randint(3, 8))):
        when = now - timedelta(hours=rng.randint(1, 6))
        if local_date(when, tz) < patient.discharge_ready_date or when < patient.admitted_at:
            continue  # only patients who were ready by then
        destination = DischargeDestination.usual_residence_with_support
        body = DischargeBody(discharged_at=when, destination=destination)
        await service.discharge(session, DEMO_PRINCIPAL, patient.id, body, flow, now=now)
