"""Patient-flow events: the discharge-ready list and the counts derived from it.

Patient events identify a patient only by WICC's own pseudonymous id (a UUID that means
nothing outside WICC): never an NHS number, a name or the trust's local reference.
Consumers that show things on shared screens (the board, summaries) read only the
aggregate `discharge_sitrep.updated`.

The issue that asked for these events called the first one `patient.ready`; it is
`patient.listed` to follow the catalogue's `<noun>.<past_tense_verb>` rule.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from wicc_shared.catalogue.base import EventType, OrgScoped


class PatientStatus(StrEnum):
    ready = "ready"  # on the discharge-ready list
    discharged = "discharged"
    withdrawn = "withdrawn"  # no longer ready: met the criteria to reside again, or died


class DelayCode(BaseModel):
    """One thing a patient waits for: a delay-reason code and who owns it."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(description="A code of the delay-reason list (national or local)")
    responsible: str = Field(description="`health`, `social_care` or `both`")
    start: dt.date = Field(description="First day of the delay")
    end: dt.date | None = Field(description="Day it ended (not counted); null while open")


class PatientChanged(OrgScoped):
    """A discharge-ready record as it now is (`patient.listed`, `patient.updated`,
    `patient.discharged`, `patient.withdrawn`)."""

    patient_id: uuid.UUID = Field(description="WICC's pseudonymous id of the record")
    org: str
    system: str
    unit_id: str
    locality: str | None = Field(description="Destination locality")
    pathway: int = Field(ge=0, le=3)
    discharge_ready_date: dt.date
    expected_discharge_date: dt.date | None
    status: PatientStatus
    delays: list[DelayCode]
    discharged_at: dt.datetime | None
    destination: str | None = Field(description="A discharge destination code")
    withdrawn_at: dt.datetime | None
    withdrawn_reason: str | None = Field(description="A withdrawal reason code")
    version: int = Field(description="The record's version (its ETag)")


class PatientDayRecorded(OrgScoped):
    """A patient's day marked red or green at the board round."""

    patient_id: uuid.UUID
    org: str
    system: str
    unit_id: str
    date: dt.date
    colour: str = Field(description="`red` or `green`")
    reason: str | None = Field(description="A red-day reason code; null for green")


class PathwayCount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    pathway: int
    nctr_patients: int
    discharged: int
    remaining: int


class ReasonCount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    reason: str = Field(description="A national NCTR reason code, or `none_recorded`")
    remaining: int


class BandCount(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)

    band: str = Field(description="Days since the discharge ready date: 0, 1, 2-3, ... 21+")
    patients: int
    bed_days: int


class WaitingCount(BaseModel):
    """Patients waiting, by where they go and what they need (demand for care)."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    locality: str | None
    pathway: int
    patients: int


class DischargeSitrepUpdated(OrgScoped):
    """One trust's derived acute discharge sitrep for one day, recounted after every
    change to its list (and when a new day starts). Counts only."""

    org: str
    system: str
    date: dt.date = Field(description="The day (in the system's time zone)")
    as_of: dt.datetime = Field(description="When the counts were taken")
    valid_until: dt.datetime = Field(
        description="The end of `date` (midnight in the system's time zone): after it the "
        "counts no longer describe the current day and are stale until recounted"
    )
    nctr_patients: int = Field(description="No longer meeting the criteria to reside that day")
    discharged: int
    remaining: int
    by_pathway: list[PathwayCount]
    by_reason: list[ReasonCount]
    bands: list[BandCount] = Field(description="Remaining patients by delay band")
    lost_bed_days: int = Field(
        description="Bed days lost so far by the remaining patients: the sum of their days "
        "from the discharge ready date to `date` (the remaining bands' bed days)"
    )
    waiting: list[WaitingCount] = Field(description="Remaining patients by locality and pathway")
    reasons_version: str = Field(description="The delay-reason list the counts use")


PATIENT_LISTED = EventType(
    name="patient.listed",
    payload=PatientChanged,
    version=1,
    summary="A patient was added to the discharge-ready list (no longer meets the criteria "
    "to reside)",
    producer="flow",
    subject=lambda p: f"patients/{p.patient_id}",
    subject_pattern="patients/{patient_id}",
)
PATIENT_UPDATED = EventType(
    name="patient.updated",
    payload=PatientChanged,
    version=1,
    summary="A discharge-ready record changed (pathway, delays, dates)",
    producer="flow",
    subject=lambda p: f"patients/{p.patient_id}",
    subject_pattern="patients/{patient_id}",
)
PATIENT_DISCHARGED = EventType(
    name="patient.discharged",
    payload=PatientChanged,
    version=1,
    summary="A discharge-ready patient left hospital",
    producer="flow",
    subject=lambda p: f"patients/{p.patient_id}",
    subject_pattern="patients/{patient_id}",
)
PATIENT_WITHDRAWN = EventType(
    name="patient.withdrawn",
    payload=PatientChanged,
    version=1,
    summary="A patient is no longer discharge ready (deteriorated, died)",
    producer="flow",
    subject=lambda p: f"patients/{p.patient_id}",
    subject_pattern="patients/{patient_id}",
)
PATIENT_DAY_RECORDED = EventType(
    name="patient_day.recorded",
    payload=PatientDayRecorded,
    version=1,
    summary="A patient's day was marked red or green",
    producer="flow",
    subject=lambda p: f"patients/{p.patient_id}/days/{p.date.isoformat()}",
    subject_pattern="patients/{patient_id}/days/{date}",
)
DISCHARGE_SITREP_UPDATED = EventType(
    name="discharge_sitrep.updated",
    payload=DischargeSitrepUpdated,
    version=1,
    summary="A trust's derived discharge sitrep for the day was recounted",
    producer="flow",
    subject=lambda p: f"discharge-sitreps/{p.org}/{p.date.isoformat()}",
    subject_pattern="discharge-sitreps/{org}/{date}",
)
