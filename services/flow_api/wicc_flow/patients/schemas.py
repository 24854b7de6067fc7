"""Request and response bodies of the discharge-ready list.

Request models holding an NHS number set `hide_input_in_errors`: pydantic keeps the raw
input on each validation error, and that flag keeps it out of every error's text.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wicc_flow.patients import examples
from wicc_flow.patients.nhs_number import NhsNumber
from wicc_flow.patients.records import Responsible
from wicc_flow.patients.validation import MAX_DELAYS
from wicc_shared.catalogue.patients import PatientStatus
from wicc_shared.timestamps import ClientTime

CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]{0,59}$"


class DischargeDestination(StrEnum):
    """Where a discharged patient went (a code: never an address)."""

    usual_residence = "usual_residence"
    usual_residence_with_support = "usual_residence_with_support"
    intermediate_care_bed = "intermediate_care_bed"
    community_hospital = "community_hospital"
    care_home_residential = "care_home_residential"
    care_home_nursing = "care_home_nursing"
    hospice = "hospice"
    other_hospital = "other_hospital"
    other = "other"
    # Closed by a snapshot import: the trust's list no longer holds the patient.
    not_recorded = "not_recorded"


class WithdrawalReason(StrEnum):
    """Why a patient is no longer discharge ready."""

    met_criteria_to_reside = "met_criteria_to_reside"  # deteriorated
    died = "died"
    entered_in_error = "entered_in_error"
    other = "other"


class DelayIn(BaseModel):
    """One thing the patient waits for."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    reason: str = Field(pattern=CODE, description="A delay-reason code (national NCTR or local)")
    responsible: Responsible | None = Field(
        default=None, description="Who owns the wait; default: the reason's usual owner"
    )
    from_: date = Field(alias="from", description="The first day of the wait")
    to: date | None = Field(
        default=None, description="The day the wait ended (not counted); null while open"
    )


class PatientFields(BaseModel):
    """The fields a record is made of (every one optional here: a PATCH sends some)."""

    model_config = ConfigDict(extra="forbid", hide_input_in_errors=True)

    unit_id: str | None = Field(default=None, max_length=60, description="The ward's unit id")
    local_ref: str | None = Field(
        default=None,
        max_length=64,
        description="The trust's pseudonymous reference, unique within the trust",
    )
    nhs_number: NhsNumber | None = Field(
        default=None, description="Optional; Modulus 11 checked; stored encrypted"
    )
    admitted_at: ClientTime | None = Field(default=None, description="Admission (with offset)")
    discharge_ready_date: date | None = Field(
        default=None, description="The day the patient stopped meeting the criteria to reside"
    )
    pathway: int | None = Field(default=None, ge=0, le=3, description="Discharge pathway 0-3")
    destination_locality: str | None = Field(
        default=None, max_length=60, description="The locality the patient goes home to"
    )
    expected_discharge_date: date | None = None
    delays: list[DelayIn] | None = Field(
        default=None, max_length=MAX_DELAYS, description="What the patient waits for"
    )


class PatientCreate(PatientFields):
    """A new discharge-ready record."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.PATIENT_CREATE]})

    org: str = Field(max_length=20, description="The trust's ODS code")
    unit_id: str = Field(max_length=60, description="The ward's unit id")
    local_ref: str = Field(
        max_length=64, description="The trust's pseudonymous reference, unique within the trust"
    )
    admitted_at: ClientTime = Field(description="Admission (with offset)")
    discharge_ready_date: date = Field(
        description="The day the patient stopped meeting the criteria to reside"
    )
    pathway: int = Field(ge=0, le=3, description="Discharge pathway 0-3")
    destination_locality: str = Field(
        max_length=60, description="The locality the patient goes home to"
    )
    delays: list[DelayIn] = Field(
        default_factory=list, max_length=MAX_DELAYS, description="What the patient waits for"
    )


class PatientPatch(PatientFields):
    """Fields to change; those left out keep their value. `delays` replaces the whole
    list; `null` clears `nhs_number` or `expected_discharge_date`."""

    model_config = ConfigDict(json_schema_extra={"examples": [examples.PATIENT_PATCH]})


class DischargeBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.DISCHARGE]})

    discharged_at: ClientTime = Field(description="When the patient left (with offset)")
    destination: DischargeDestination


class WithdrawBody(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.WITHDRAW]})

    withdrawn_at: ClientTime = Field(description="When the patient stopped being ready")
    reason: WithdrawalReason


class DelayRead(BaseModel):
    model_config = ConfigDict(populate_by_name=True, serialize_by_alias=True)

    reason: str
    national_reason: str = Field(description="The national NCTR code it counts under")
    dtoc: str | None = Field(description="The DTOC category; null where none fits")
    responsible: Responsible
    from_: date = Field(alias="from")
    to: date | None


class PatientRead(BaseModel):
    """A discharge-ready record. `nhs_number` is shown only to keys that may change the
    record (the trust's own keys, keys of its system, admin); `has_nhs_number` says
    whether one is recorded."""

    id: uuid.UUID
    org: str
    system: str
    unit_id: str
    local_ref: str
    nhs_number: str | None = Field(description="Ten digits; null when not shown or not known")
    has_nhs_number: bool
    admitted_at: datetime
    discharge_ready_date: date
    expected_discharge_date: date | None
    pathway: int
    destination_locality: str
    delays: list[DelayRead]
    current_delay: str | None = Field(
        description="The reason the latest day counts under (the earliest-started open "
        "delay), as its national code; null when none is open"
    )
    status: PatientStatus
    days_since_ready: int = Field(
        description="Days from the discharge ready date to today (or to the day it closed)"
    )
    discharged_at: datetime | None
    destination: str | None
    withdrawn_at: datetime | None
    withdrawn_reason: str | None
    version: int = Field(description="Changes with every write; the ETag is this, quoted")
    created_at: datetime
    updated_at: datetime
    as_of: datetime = Field(description="When `days_since_ready` was computed")


class ImportedRow(BaseModel):
    line: int
    local_ref: str
    id: uuid.UUID
    outcome: str = Field(description="`created`, `updated` or `unchanged`")


class ClosedRecord(BaseModel):
    id: uuid.UUID
    local_ref: str


class ImportResult(BaseModel):
    """What a CSV import did: every row's outcome, and (snapshot) the records closed."""

    org: str
    mode: str
    created: int
    updated: int
    unchanged: int
    closed: int
    rows: list[ImportedRow]
    closed_records: list[ClosedRecord]


def delay_body(delay: DelayIn) -> dict[str, Any]:
    return delay.model_dump(by_alias=True, mode="json")
