"""Red and green days: one colour per patient per day, re-recording replaces it (and the
audit log keeps what it was); each ward's share of green days. Never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.patients import access
from wicc_flow.patients import repository as patients
from wicc_flow.patients.config import PatientFlow
from wicc_flow.patients.models import Patient
from wicc_flow.patients.records import local_date
from wicc_flow.patients.views import readable
from wicc_flow.red_green import events, repository
from wicc_flow.red_green.models import PatientDay
from wicc_flow.red_green.reasons import GROUP, RedReason
from wicc_flow.red_green.schemas import (
    Colour,
    DayRead,
    DayRecord,
    ReasonTally,
    RedGreenPage,
    WardDay,
)
from wicc_flow.red_green.shares import PatientOnDay, ward_shares
from wicc_flow.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.auth import Principal
from wicc_shared.catalogue.patients import PATIENT_DAY_RECORDED
from wicc_shared.errors import FieldError, ValidationFailed
from wicc_shared.pagination import Page, PageParams


@dataclass(frozen=True)
class Recorded:
    read: DayRead
    created: bool


async def record_day(
    session: AsyncSession,
    principal: Principal,
    patient_id: uuid.UUID,
    day: date,
    body: DayRecord,
    flow: PatientFlow,
    *,
    now: datetime,
) -> Recorded:
    if problems := body.problems():
        raise ValidationFailed(problems)
    patient, org, system = await readable(session, principal, patient_id)
    access.ensure_writable(principal, org, "patient record")
    if problems := _day_problems(patient, day, ZoneInfo(system.timezone), flow, now):
        raise ValidationFailed(problems)
    # One writer per trust at a time: two first recordings of one day cannot collide.
    await patients.lock_org(session, org.ods)
    stored = await repository.get_day(session, patient.id, day, for_update=True)
    before = None if stored is None else _snapshot(stored)
    if stored is None:
        stored = PatientDay(
            patient_id=patient.id,
            day=day,
            org_ods=org.ods,
            unit_id=patient.unit_id,
            colour=body.colour.value,
            recorded_by=body.recorded_by,
            recorded_key=principal.key_id,
            recorded_at=now,
        )
        session.add(stored)
    elif (stored.colour, stored.reason, stored.recorded_by) == (
        body.colour.value,
        body.reason,
        body.recorded_by,
    ):
        return Recorded(to_read(stored), created=False)  # the same again: nothing changes
    stored.colour, stored.reason = body.colour.value, _value(body.reason)
    stored.recorded_by, stored.recorded_key, stored.recorded_at = (
        body.recorded_by,
        principal.key_id,
        now,
    )
    change = audited_write.Change(
        action=PATIENT_DAY_RECORDED.name,
        entity_type="patient_day",
        entity_id=f"{patient.id}/{day.isoformat()}",
        org_ods=org.ods,
        before=before,
        after=_snapshot(stored),
    )
    payload = events.day_recorded(stored, system.code)
    await audited_write.record(
        session, principal, change, audited_write.announce(OUTBOX, PATIENT_DAY_RECORDED, payload)
    )
    return Recorded(to_read(stored), created=before is None)


async def list_days(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID, page: PageParams
) -> Page[DayRead]:
    patient, _org, _system = await readable(session, principal, patient_id)
    rows, total = await repository.days_of(
        session, patient.id, limit=page.limit, offset=page.offset
    )
    return Page(items=[to_read(r) for r in rows], total=total, limit=page.limit, offset=page.offset)


async def ward_days(
    session: AsyncSession,
    day: date,
    *,
    org: str | None,
    unit_id: str | None,
    page: PageParams,
    now: datetime,
) -> RedGreenPage:
    rows = await repository.patients_on(session, day, org=org, unit_id=unit_id)
    shares = ward_shares(
        PatientOnDay(
            org=row[0],
            unit_id=row[1],
            colour=row[2],
            reason=None if row[3] is None else RedReason(row[3]),
        )
        for row in rows
    )
    items = [
        WardDay(
            org=s.org,
            unit_id=s.unit_id,
            date=day,
            patients=s.patients,
            green=s.green,
            red=s.red,
            not_recorded=s.not_recorded,
            green_pct=s.green_pct,
            red_internal=s.red_internal,
            red_external=s.red_external,
            red_by_reason=[
                ReasonTally(reason=reason, group=GROUP[reason], patients=n)
                for reason, n in s.red_by_reason
            ],
        )
        for s in shares
    ]
    return RedGreenPage(
        items=items[page.offset : page.offset + page.limit],
        total=len(items),
        limit=page.limit,
        offset=page.offset,
        date=day,
        as_of=now,
    )


def _day_problems(
    patient: Patient, day: date, tz: ZoneInfo, flow: PatientFlow, now: datetime
) -> list[FieldError]:
    def problem(code: str, message: str) -> list[FieldError]:
        return [FieldError("date", message, location="path", code=code)]

    if day > local_date(now + flow.max_skew, tz):
        return problem("future_date", "a day cannot be marked before it has begun")
    if day < local_date(patient.admitted_at, tz):
        return problem("before_admission", "the patient was not yet admitted on this day")
    if patient.closed_at is not None and day > local_date(patient.closed_at, tz):
        return problem("after_closure", "the record had closed before this day")
    return []


def _value(reason: RedReason | None) -> str | None:
    return None if reason is None else reason.value


def _snapshot(day: PatientDay) -> dict[str, Any]:
    return {"colour": day.colour, "reason": day.reason, "recorded_by": day.recorded_by}


def to_read(day: PatientDay) -> DayRead:
    reason = None if day.reason is None else RedReason(day.reason)
    return DayRead(
        patient_id=day.patient_id,
        date=day.day,
        org=day.org_ods,
        unit_id=day.unit_id,
        colour=Colour(day.colour),
        reason=reason,
        reason_group=None if reason is None else GROUP[reason],
        recorded_by=day.recorded_by,
        recorded_at=day.recorded_at,
    )
