"""Lost bed days of a system over a period, split as asked (the counting rule is in
`patients/lost_bed_days.py` and docs/patient-flow.md)."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.discharge_sitrep.recount import Day, zone_of
from wicc_flow.patients import repository as patients
from wicc_flow.patients.config import PatientFlow
from wicc_flow.patients.conversion import to_stay
from wicc_flow.patients.delay_reasons import NO_DTOC_CATEGORY, NO_REASON, Scheme
from wicc_flow.patients.lost_bed_days import Period, Split, report
from wicc_flow.patients.records import local_date
from wicc_flow.reports.schemas import LostBedDaysGroup, LostBedDaysReport
from wicc_shared.errors import FieldError, ValidationFailed

MAX_PERIOD_DAYS = 366


async def lost_bed_days(
    session: AsyncSession,
    system_code: str,
    first: date,
    last: date,
    by: Split,
    scheme: Scheme,
    flow: PatientFlow,
    *,
    now: datetime,
) -> LostBedDaysReport:
    system = await patients.care_system(session, system_code)
    problems = _period_problems(first, last)
    if system is None:
        problems.insert(0, FieldError("system", "not a care system", "query", "unknown"))
    if problems or system is None:
        raise ValidationFailed(problems)
    tz = zone_of(system)
    today = local_date(now, tz)
    rows = await patients.system_stays(session, system.code, last, Day.on(first, tz).start)
    result = report(
        [to_stay(r) for r in rows],
        Period(first, last),
        by=by,
        reasons=flow.reasons,
        scheme=scheme,
        today=today,
        tz=tz,
    )
    return LostBedDaysReport(
        system=system.code,
        from_=first,
        to=last,
        by=by.value,
        reasons=scheme.value,
        reasons_version=result.reasons_version,
        today=today,
        bed_days=result.bed_days,
        patients=result.patients,
        groups=[
            LostBedDaysGroup(
                key=g.key,
                name=_name(g.key, by, scheme, flow),
                bed_days=g.bed_days,
                patients=g.patients,
            )
            for g in result.groups
        ],
        as_of=now,
    )


def _period_problems(first: date, last: date) -> list[FieldError]:
    if last < first:
        return [FieldError("from", "`from` is after `to`", "query", "from_after_to")]
    if (last - first).days + 1 > MAX_PERIOD_DAYS:
        return [FieldError("to", f"at most {MAX_PERIOD_DAYS} days per report", "query", "too_long")]
    return []


def _name(key: str, by: Split, scheme: Scheme, flow: PatientFlow) -> str | None:
    if by is not Split.reason or key in (NO_REASON, NO_DTOC_CATEGORY):
        return None
    if scheme is Scheme.dtoc:
        return flow.reasons.dtoc(key).name
    return flow.reasons.nctr(key).name
