"""What a summary build takes from patient flow: each trust's latest discharge sitrep
for the day (from the board, as every board shows it), the lost bed days of the days
before (from the flow schema's records, by the counting rule of
`patients/lost_bed_days.py`), and how many patients became ready on each of the last
eight weeks' days (the outlook's history). Counts only: no record leaves this module."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from pydantic import ValidationError
from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_flow.discharge_sitrep.recount import Day, zone_of
from wicc_flow.patients import repository as patients
from wicc_flow.patients.conversion import to_stay
from wicc_flow.patients.delay_reasons import DelayReasons
from wicc_flow.patients.lost_bed_days import Period, lost_days
from wicc_flow.patients.models import Patient
from wicc_flow.summaries.codes import Pathway
from wicc_shared.catalogue.patients import DischargeSitrepUpdated
from wicc_shared.kernel.models import CareSystem

LOST_DAYS_BACK = 8  # yesterday and the 7 days to it
OUTLOOK_DAYS_BACK = 8 * 7


@dataclass(frozen=True)
class PatientInputs:
    discharge_sitreps: list[DischargeSitrepUpdated] = field(default_factory=list)
    lost_bed_days: dict[str, dict[date, int]] = field(default_factory=dict)
    became_ready: dict[date, dict[Pathway, int]] = field(default_factory=dict)
    reason_label: Callable[[str], str] = str


async def patient_inputs(
    session: AsyncSession,
    system: CareSystem,
    day: date,
    board_view: Mapping[str, Any],
    reasons: DelayReasons | None,
) -> PatientInputs:
    return PatientInputs(
        discharge_sitreps=day_sitreps(board_view, system.code, day),
        lost_bed_days=await lost_bed_days_before(session, system, day),
        became_ready=await became_ready_before(session, system.code, day),
        reason_label=_labels(reasons),
    )


def day_sitreps(
    board_view: Mapping[str, Any], system: str, day: date
) -> list[DischargeSitrepUpdated]:
    """The system's trusts' discharge sitreps for `day` as the board holds them."""
    found = []
    for trust in (board_view.get("patients") or {}).get("trusts", []):
        if trust.get("system") != system or trust.get("date") != day.isoformat():
            continue
        payload = {k: v for k, v in trust.items() if k not in ("age_seconds", "stale")}
        try:
            found.append(DischargeSitrepUpdated.model_validate(payload))
        except ValidationError:  # an older payload version: that trust shows no counts
            continue
    return found


async def lost_bed_days_before(
    session: AsyncSession, system: CareSystem, day: date
) -> dict[str, dict[date, int]]:
    """Lost bed days per organisation (and the system) on each of the days before."""
    tz = zone_of(system)
    first, last = day - timedelta(days=LOST_DAYS_BACK), day - timedelta(days=1)
    rows = await patients.system_stays(session, system.code, last, Day.on(first, tz).start)
    counted: dict[str, Counter[date]] = defaultdict(Counter)
    for stay in map(to_stay, rows):
        for lost in lost_days(stay, Period(first, last), today=day, tz=tz):
            counted[stay.org][lost.day] += 1
            counted[system.code][lost.day] += 1
    return {subject: dict(days) for subject, days in counted.items()}


async def became_ready_before(
    session: AsyncSession, system: str, day: date
) -> dict[date, dict[Pathway, int]]:
    """Patients becoming ready (by discharge ready date) per day and pathway, over the
    eight weeks before `day`. Days from the system's first record on count, zeros
    included; days before it are unknown, so the outlook leaves them out."""
    first_known = await session.scalar(
        select(func.min(col(Patient.discharge_ready_date))).where(
            col(Patient.system_code) == system
        )
    )
    if first_known is None:
        return {}
    first = max(first_known, day - timedelta(days=OUTLOOK_DAYS_BACK))
    rows = await session.execute(
        select(col(Patient.discharge_ready_date), col(Patient.pathway), func.count())
        .where(
            col(Patient.system_code) == system,
            col(Patient.discharge_ready_date) >= first,
            col(Patient.discharge_ready_date) < day,
        )
        .group_by(col(Patient.discharge_ready_date), col(Patient.pathway))
    )
    per_day: dict[date, dict[Pathway, int]] = {
        first + timedelta(days=n): dict.fromkeys(Pathway, 0) for n in range((day - first).days)
    }
    for ready_on, pathway, count in rows.all():
        per_day[ready_on][Pathway(f"P{pathway}")] = int(count)
    return per_day


def _labels(reasons: DelayReasons | None) -> Callable[[str], str]:
    def label(code: str) -> str:
        if reasons is None or code not in reasons:
            return code.replace("_", " ")
        return reasons.nctr(code).name

    return label
