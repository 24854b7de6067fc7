"""Changing the discharge-ready list: create, change (with If-Match), discharge,
withdraw. Every write takes the organisation's patient lock, makes its change, records
it with its audit entry and event (`audited_write`), and recounts the trust's discharge
sitrep in the same transaction. Never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.discharge_sitrep.recount import recount
from wicc_flow.patients import access, events, repository
from wicc_flow.patients.checks import (
    PatientClosed,
    as_field_errors,
    check_context,
    closed_record_problems,
    closure_problems,
    ensure_unique,
)
from wicc_flow.patients.config import PatientFlow
from wicc_flow.patients.conversion import drafts_of, stored_delays
from wicc_flow.patients.etag import check_if_match, etag_of
from wicc_flow.patients.models import Patient
from wicc_flow.patients.records import Pathway
from wicc_flow.patients.schemas import (
    DelayIn,
    DischargeBody,
    PatientCreate,
    PatientPatch,
    PatientRead,
    WithdrawBody,
)
from wicc_flow.patients.validation import DelayDraft, PatientDraft, check_patient
from wicc_flow.patients.views import readable, to_read
from wicc_flow.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.auth import Principal
from wicc_shared.catalogue.base import EventType
from wicc_shared.catalogue.patients import (
    PATIENT_DISCHARGED,
    PATIENT_LISTED,
    PATIENT_UPDATED,
    PATIENT_WITHDRAWN,
    PatientChanged,
    PatientStatus,
)
from wicc_shared.errors import FieldError, ValidationFailed
from wicc_shared.kernel.models import CareSystem, Organisation

PATIENTS_PATH = "/flow/v1/patients"


@dataclass(frozen=True)
class Written:
    """A record after a write; `changed` is False when the write changed nothing."""

    read: PatientRead
    changed: bool = True

    @property
    def location(self) -> str:
        return f"{PATIENTS_PATH}/{self.read.id}"

    @property
    def etag(self) -> str:
        return etag_of(self.read.version)


async def create(
    session: AsyncSession,
    principal: Principal,
    body: PatientCreate,
    flow: PatientFlow,
    *,
    now: datetime,
) -> Written:
    found = await repository.active_org(session, body.org)
    if found is None:
        raise ValidationFailed([FieldError("org", "not an active organisation", code="unknown")])
    org, system = found
    access.ensure_writable(principal, org, "patient record")
    draft = _draft(body)
    ctx = await check_context(session, org, system, flow, now)
    if problems := check_patient(draft, ctx):
        raise ValidationFailed(as_field_errors(problems))
    await repository.lock_org(session, org.ods)
    patient = new_patient(draft, org, system, flow, principal=principal, now=now)
    await ensure_unique(session, patient)
    session.add(patient)
    await record(session, principal, org, system, flow, patient, None, PATIENT_LISTED, now=now)
    return Written(to_read(patient, system, flow, now=now, show_nhs_number=True))


async def update(
    session: AsyncSession,
    principal: Principal,
    patient_id: uuid.UUID,
    body: PatientPatch,
    if_match: str | None,
    flow: PatientFlow,
    *,
    now: datetime,
) -> Written:
    patient, org, system = await _locked(session, principal, patient_id)
    check_if_match(if_match, patient.version)
    draft = _merged(patient, body, flow)
    ctx = await check_context(session, org, system, flow, now)
    problems = as_field_errors(check_patient(draft, ctx))
    problems += closed_record_problems(patient, draft, ctx)
    if problems:
        raise ValidationFailed(problems)
    before, index_before = snapshot(patient), patient.nhs_number_index
    apply_draft(patient, draft, flow, fields=body.model_fields_set)
    if snapshot(patient) == before and patient.nhs_number_index == index_before:
        return Written(to_read(patient, system, flow, now=now, show_nhs_number=True), False)
    await ensure_unique(session, patient)
    touch(patient, principal, now)
    await record(session, principal, org, system, flow, patient, before, PATIENT_UPDATED, now=now)
    return Written(to_read(patient, system, flow, now=now, show_nhs_number=True))


async def discharge(
    session: AsyncSession,
    principal: Principal,
    patient_id: uuid.UUID,
    body: DischargeBody,
    flow: PatientFlow,
    *,
    now: datetime,
) -> Written:
    patient, org, system = await _locked(session, principal, patient_id)
    if patient.status == PatientStatus.discharged and (
        patient.discharged_at == body.discharged_at and patient.destination == body.destination
    ):
        return Written(to_read(patient, system, flow, now=now, show_nhs_number=True), False)
    await _closable(session, patient, org, system, flow, "discharged_at", body.discharged_at, now)
    before = snapshot(patient)
    patient.status = PatientStatus.discharged
    patient.discharged_at = patient.closed_at = body.discharged_at
    patient.destination = body.destination.value
    touch(patient, principal, now)
    await record(
        session, principal, org, system, flow, patient, before, PATIENT_DISCHARGED, now=now
    )
    return Written(to_read(patient, system, flow, now=now, show_nhs_number=True))


async def withdraw(
    session: AsyncSession,
    principal: Principal,
    patient_id: uuid.UUID,
    body: WithdrawBody,
    flow: PatientFlow,
    *,
    now: datetime,
) -> Written:
    patient, org, system = await _locked(session, principal, patient_id)
    if patient.status == PatientStatus.withdrawn and (
        patient.withdrawn_at == body.withdrawn_at and patient.withdrawn_reason == body.reason
    ):
        return Written(to_read(patient, system, flow, now=now, show_nhs_number=True), False)
    await _closable(session, patient, org, system, flow, "withdrawn_at", body.withdrawn_at, now)
    before = snapshot(patient)
    patient.status = PatientStatus.withdrawn
    patient.withdrawn_at = patient.closed_at = body.withdrawn_at
    patient.withdrawn_reason = body.reason.value
    touch(patient, principal, now)
    await record(session, principal, org, system, flow, patient, before, PATIENT_WITHDRAWN, now=now)
    return Written(to_read(patient, system, flow, now=now, show_nhs_number=True))


async def _locked(
    session: AsyncSession, principal: Principal, patient_id: uuid.UUID
) -> tuple[Patient, Organisation, CareSystem]:
    """The record, once this key may change it, read again under its trust's lock."""
    patient, org, system = await readable(session, principal, patient_id)
    access.ensure_writable(principal, org, "patient record")
    await repository.lock_org(session, org.ods)
    fresh = await repository.get(session, patient.id)
    assert fresh is not None  # records are never deleted
    return fresh, org, system


async def _closable(
    session: AsyncSession,
    patient: Patient,
    org: Organisation,
    system: CareSystem,
    flow: PatientFlow,
    name: str,
    when: datetime,
    now: datetime,
) -> None:
    if patient.status != PatientStatus.ready:
        raise PatientClosed(
            f"The record is already {patient.status}; it cannot be discharged or withdrawn "
            "again with other details.",
            status_now=patient.status,
        )
    ctx = await check_context(session, org, system, flow, now)
    if problems := closure_problems(patient, name, when, ctx):
        raise ValidationFailed(problems)


async def record(
    session: AsyncSession,
    actor: audited_write.Actor,
    org: Organisation,
    system: CareSystem,
    flow: PatientFlow,
    patient: Patient,
    before: dict[str, Any] | None,
    event_type: EventType[PatientChanged],
    *,
    now: datetime,
    recount_after: bool = True,
) -> None:
    """The change's audit entry and event, then the trust's recount (unless the caller
    recounts once after many changes), all in the caller's transaction (which holds the
    trust's patient lock)."""
    change = audited_write.Change(
        action=event_type.name,
        entity_type="patient",
        entity_id=str(patient.id),
        org_ods=org.ods,
        before=before,
        after=snapshot(patient),
    )
    announcement = audited_write.announce(OUTBOX, event_type, events.patient_changed(patient))
    await audited_write.record(session, actor, change, announcement)
    if recount_after:
        await recount(session, actor, org.ods, system, flow, now=now)


def new_patient(
    draft: PatientDraft,
    org: Organisation,
    system: CareSystem,
    flow: PatientFlow,
    *,
    principal: audited_write.Actor,
    now: datetime,
) -> Patient:
    patient = Patient(
        org_ods=org.ods,
        system_code=system.code,
        unit_id=draft.unit_id,
        local_ref=draft.local_ref,
        admitted_at=draft.admitted_at,
        discharge_ready_date=draft.discharge_ready_date,
        pathway=int(draft.pathway),
        destination_locality=draft.destination_locality,
        status=PatientStatus.ready.value,
        created_at=now,
        created_by=principal.key_id,
        updated_at=now,
        updated_by=principal.key_id,
    )
    apply_draft(patient, draft, flow, fields=None)
    return patient


def apply_draft(
    patient: Patient, draft: PatientDraft, flow: PatientFlow, *, fields: set[str] | None
) -> None:
    """Set the record's fields from a checked draft. The NHS number is (re)encrypted only
    when `fields` names it (None: a whole new record or import row)."""
    patient.unit_id = draft.unit_id
    patient.local_ref = draft.local_ref
    patient.admitted_at = draft.admitted_at
    patient.discharge_ready_date = draft.discharge_ready_date
    patient.expected_discharge_date = draft.expected_discharge_date
    patient.pathway = int(draft.pathway)
    patient.destination_locality = draft.destination_locality
    patient.delays = stored_delays(draft.delays, flow.reasons)
    if fields is None or "nhs_number" in fields:
        number = draft.nhs_number
        index = None if number is None else flow.cipher.blind_index(number)
        if index != patient.nhs_number_index or (number is None) != (
            patient.nhs_number_token is None
        ):
            # A new token only for a new number: encryption is random, so re-encrypting
            # the same number would look like a change.
            patient.nhs_number_token = None if number is None else flow.cipher.encrypt(number)
            patient.nhs_number_index = index


def snapshot(patient: Patient) -> dict[str, Any]:
    """What the audit log keeps of a record: everything but the NHS number (only whether
    there is one)."""
    return {
        "version": patient.version,
        "status": patient.status,
        "unit_id": patient.unit_id,
        "local_ref": patient.local_ref,
        "has_nhs_number": patient.nhs_number_token is not None,
        "admitted_at": patient.admitted_at.isoformat(),
        "discharge_ready_date": patient.discharge_ready_date.isoformat(),
        "expected_discharge_date": (
            patient.expected_discharge_date.isoformat() if patient.expected_discharge_date else None
        ),
        "pathway": patient.pathway,
        "destination_locality": patient.destination_locality,
        "delays": patient.delays,
        "discharged_at": patient.discharged_at.isoformat() if patient.discharged_at else None,
        "destination": patient.destination,
        "withdrawn_at": patient.withdrawn_at.isoformat() if patient.withdrawn_at else None,
        "withdrawn_reason": patient.withdrawn_reason,
    }


def touch(patient: Patient, principal: audited_write.Actor, now: datetime) -> None:
    patient.version += 1
    patient.updated_at = now
    patient.updated_by = principal.key_id


def _draft(body: PatientCreate) -> PatientDraft:
    return PatientDraft(
        local_ref=body.local_ref,
        unit_id=body.unit_id,
        admitted_at=body.admitted_at,
        discharge_ready_date=body.discharge_ready_date,
        pathway=Pathway(body.pathway),
        destination_locality=body.destination_locality,
        expected_discharge_date=body.expected_discharge_date,
        nhs_number=body.nhs_number,
        delays=_delay_drafts(body.delays),
    )


def _delay_drafts(delays: list[DelayIn]) -> tuple[DelayDraft, ...]:
    return tuple(
        DelayDraft(reason=d.reason, start=d.from_, end=d.to, responsible=d.responsible)
        for d in delays
    )


_REQUIRED = (
    "unit_id",
    "local_ref",
    "admitted_at",
    "discharge_ready_date",
    "pathway",
    "destination_locality",
    "delays",
)


def _merged(patient: Patient, body: PatientPatch, flow: PatientFlow) -> PatientDraft:
    """The record as it would be with the PATCH applied."""
    sent = body.model_fields_set
    nulls = [FieldError(name, "may not be null", code="null_not_allowed") for name in _REQUIRED]
    if problems := [e for e in nulls if e.field in sent and getattr(body, e.field) is None]:
        raise ValidationFailed(problems)

    def pick(name: str, current: Any) -> Any:
        return getattr(body, name) if name in sent else current

    number = None
    if "nhs_number" in sent:
        number = body.nhs_number
    elif patient.nhs_number_token is not None:
        number = flow.cipher.decrypt(patient.nhs_number_token)
    return PatientDraft(
        local_ref=pick("local_ref", patient.local_ref),
        unit_id=pick("unit_id", patient.unit_id),
        admitted_at=pick("admitted_at", patient.admitted_at),
        discharge_ready_date=pick("discharge_ready_date", patient.discharge_ready_date),
        pathway=Pathway(pick("pathway", patient.pathway)),
        destination_locality=pick("destination_locality", patient.destination_locality),
        expected_discharge_date=pick("expected_discharge_date", patient.expected_discharge_date),
        nhs_number=number,
        delays=(
            _delay_drafts(body.delays or []) if "delays" in sent else drafts_of(patient.delays)
        ),
    )
