"""The checks a write makes against the stored list and the reference data, beyond the
record rules of `validation.py`: the context those rules run in (the trust's units, its
system's localities and time zone), duplicates, and closing a record."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.patients import repository
from wicc_flow.patients.config import PatientFlow
from wicc_flow.patients.models import Patient
from wicc_flow.patients.records import local_date
from wicc_flow.patients.validation import CheckContext, PatientDraft, Problem, check_instant
from wicc_shared.errors import Conflict, FieldError
from wicc_shared.kernel.models import CareSystem, Organisation


class DuplicatePatient(Conflict):
    slug, title = "duplicate-patient", "The trust already has this patient on its list"


class PatientClosed(Conflict):
    slug, title = "patient-closed", "The record is already discharged or withdrawn"


async def check_context(
    session: AsyncSession,
    org: Organisation,
    system: CareSystem,
    flow: PatientFlow,
    now: datetime,
) -> CheckContext:
    return CheckContext(
        now=now,
        max_skew=flow.max_skew,
        tz=ZoneInfo(system.timezone),
        reasons=flow.reasons,
        units=await repository.unit_ids(session, org.ods),
        localities=await repository.locality_codes(session, system.code),
    )


def as_field_errors(problems: Sequence[Problem]) -> list[FieldError]:
    return [FieldError(p.field, p.message, code=p.code) for p in problems]


async def ensure_unique(session: AsyncSession, patient: Patient) -> None:
    """One record per local reference in a trust, and one open record per NHS number:
    a second is a duplicate (409, naming the record already held)."""
    same_ref = await repository.by_local_ref(session, patient.org_ods, patient.local_ref)
    if same_ref is not None and same_ref.id != patient.id:
        raise DuplicatePatient(
            f"{patient.org_ods} already has a record with this local_ref.",
            existing_id=str(same_ref.id),
            field="local_ref",
        )
    if patient.nhs_number_index is None or patient.status != "ready":
        return
    same_number = await repository.open_by_nhs_index(
        session, patient.org_ods, patient.nhs_number_index
    )
    if same_number is not None and same_number.id != patient.id:
        raise DuplicatePatient(
            f"{patient.org_ods} already has an open record with this NHS number.",
            existing_id=str(same_number.id),
            field="nhs_number",
        )


def closed_record_problems(
    patient: Patient, draft: PatientDraft, ctx: CheckContext
) -> list[FieldError]:
    """A closed record may be corrected, but not so that it became ready after it closed."""
    if patient.closed_at is None:
        return []
    closed_day = local_date(patient.closed_at, ctx.tz)
    if draft.discharge_ready_date > closed_day:
        return [
            FieldError(
                "discharge_ready_date",
                "the record closed before this date",
                code="after_closure",
            )
        ]
    return []


def closure_problems(
    patient: Patient, name: str, when: datetime, ctx: CheckContext
) -> list[FieldError]:
    """A discharge or withdrawal: a plausible time, not before admission, and on or after
    the discharge ready date (a patient leaves as ready, or stops being ready)."""
    problems = [FieldError(p.field, p.message, code=p.code) for p in check_instant(name, when, ctx)]
    if problems:
        return problems
    if when < patient.admitted_at:
        return [FieldError(name, f"{name} is before the admission", code="before_admission")]
    if local_date(when, ctx.tz) < patient.discharge_ready_date:
        return [FieldError(name, f"{name} is before the discharge ready date", code="before_ready")]
    return []
