"""Reading discharge-ready records: what each key may see of them, and the audit of
every read of a record that holds an NHS number."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.patients import access, repository
from wicc_flow.patients.attribution import delay_on
from wicc_flow.patients.config import PatientFlow
from wicc_flow.patients.conversion import delays_of
from wicc_flow.patients.delay_reasons import DelayReasons
from wicc_flow.patients.models import Patient
from wicc_flow.patients.records import local_date
from wicc_flow.patients.repository import PatientFilters
from wicc_flow.patients.schemas import DelayRead, PatientRead
from wicc_shared import audited_write
from wicc_shared.auth import Principal
from wicc_shared.catalogue.patients import PatientStatus
from wicc_shared.errors import FieldError, NotFound, ValidationFailed
from wicc_shared.kernel.models import CareSystem, Organisation
from wicc_shared.pagination import Page, PageParams

READ_ACTION = "patient.read"


async def read(
    session: AsyncSession,
    principal: Principal,
    patient_id: uuid.UUID,
    flow: PatientFlow,
    *,
    now: datetime,
) -> PatientRead:
    patient, org, system = await readable(session, principal, patient_id)
    shown = access.shows_nhs_number(principal, org)
    await repository.record_reads(session, principal, _read_audit([patient], [shown]))
    return to_read(patient, system, flow, now=now, show_nhs_number=shown)


async def readable(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> tuple[Patient, Organisation, CareSystem]:
    """The record with its organisation and system, if this key may read it (404 if not)."""
    access.ensure_may_see_records(principal)
    patient = await repository.get(session, patient_id)
    found = None if patient is None else await repository.active_org(session, patient.org_ods)
    if patient is None or found is None:
        raise NotFound("No patient record with that id.")
    access.ensure_readable(principal, found[0], "patient record")
    return patient, found[0], found[1]


async def list_patients(
    session: AsyncSession,
    principal: Principal,
    filters: PatientFilters,
    page: PageParams,
    flow: PatientFlow,
    *,
    now: datetime,
) -> Page[PatientRead]:
    scope_org, scope_system = access.list_scope(principal)
    if scope_org is not None and filters.org not in (None, scope_org):
        return Page(items=[], total=0, limit=page.limit, offset=page.offset)
    if scope_system is not None and filters.system not in (None, scope_system):
        return Page(items=[], total=0, limit=page.limit, offset=page.offset)
    scoped = replace(
        filters, org=scope_org or filters.org, system=scope_system or filters.system, now=now
    )
    rows, total = await repository.list_page(session, scoped, page)
    items, shown = await _views(session, principal, rows, flow, now)
    await repository.record_reads(session, principal, _read_audit(rows, shown))
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


async def _views(
    session: AsyncSession,
    principal: Principal,
    rows: Sequence[Patient],
    flow: PatientFlow,
    now: datetime,
) -> tuple[list[PatientRead], list[bool]]:
    items, shown = [], []
    for patient in rows:
        found = await repository.active_org(session, patient.org_ods)
        assert found is not None  # records are only made for active organisations
        org, system = found
        shows = access.shows_nhs_number(principal, org)
        items.append(to_read(patient, system, flow, now=now, show_nhs_number=shows))
        shown.append(shows)
    return items, shown


def reason_codes(reasons: DelayReasons, code: str) -> tuple[str, ...]:
    """The codes a `reason` filter matches: the code, and a national code's local
    sub-codes (which count under it)."""
    if code not in reasons:
        raise ValidationFailed(
            [FieldError("reason", "not a known delay reason code", "query", "unknown_reason")]
        )
    return (code, *(r.code for r in reasons.local if r.national == code and code != r.code))


def _read_audit(rows: Sequence[Patient], shown: Sequence[bool]) -> list[audited_write.Change]:
    """One entry per record read that holds an NHS number, saying whether it was shown."""
    return [
        audited_write.Change(
            action=READ_ACTION,
            entity_type="patient",
            entity_id=str(patient.id),
            org_ods=patient.org_ods,
            before=None,
            after={"nhs_number_shown": show},
        )
        for patient, show in zip(rows, shown, strict=True)
        if patient.nhs_number_token is not None
    ]


def to_read(
    patient: Patient,
    system: CareSystem,
    flow: PatientFlow,
    *,
    now: datetime,
    show_nhs_number: bool,
) -> PatientRead:
    tz = ZoneInfo(system.timezone)
    closed_day = None if patient.closed_at is None else local_date(patient.closed_at, tz)
    last_day = closed_day or local_date(now, tz)
    delays = delays_of(patient.delays)
    current = delay_on(delays, last_day if closed_day is None else last_day - timedelta(days=1))
    number = None
    if show_nhs_number and patient.nhs_number_token is not None:
        number = flow.cipher.decrypt(patient.nhs_number_token).value
    return PatientRead(
        id=patient.id,
        org=patient.org_ods,
        system=patient.system_code,
        unit_id=patient.unit_id,
        local_ref=patient.local_ref,
        nhs_number=number,
        has_nhs_number=patient.nhs_number_token is not None,
        admitted_at=patient.admitted_at,
        discharge_ready_date=patient.discharge_ready_date,
        expected_discharge_date=patient.expected_discharge_date,
        pathway=patient.pathway,
        destination_locality=patient.destination_locality,
        delays=[_delay_read(d, flow) for d in patient.delays],
        current_delay=flow.reasons.group_key(current.reason) if current else None,
        status=PatientStatus(patient.status),
        days_since_ready=max(0, (last_day - patient.discharge_ready_date).days),
        discharged_at=patient.discharged_at,
        destination=patient.destination,
        withdrawn_at=patient.withdrawn_at,
        withdrawn_reason=patient.withdrawn_reason,
        version=patient.version,
        created_at=patient.created_at,
        updated_at=patient.updated_at,
        as_of=now,
    )


def _delay_read(stored: dict[str, Any], flow: PatientFlow) -> DelayRead:
    (delay,) = delays_of([stored])
    reason = flow.reasons.nctr(delay.reason)
    return DelayRead(
        reason=delay.reason,
        national_reason=reason.national,
        dtoc=reason.dtoc,
        responsible=delay.responsible,
        from_=delay.start,
        to=delay.end,
    )
