"""Sitrep events: a daily sitrep submitted or amended, or missing after the deadline.

The figures' shapes are the sitrep API's own (capacity adds the cross-field rules), so
an event carries exactly what was accepted. The amendment reason is free text and never
leaves the capacity service.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from pydantic import BaseModel, ConfigDict, Field

from wicc_shared.catalogue.base import EventType, OrgScoped
from wicc_shared.catalogue.beds import MAX_BEDS
from wicc_shared.kernel.reference import BedArea

MAX_MINUTES = 10_000
# ED majors + resus occupancy counts patients against cubicles, so it passes 100 %
# when corridors are in use (the OPEL bands go above 120 %): only sanity-capped.
MAX_ED_OCCUPANCY_PCT = 1_000


def _count(description: str) -> Any:
    return Field(ge=0, le=MAX_BEDS, description=description)


def _pct(description: str, maximum: float = 100) -> Any:
    return Field(ge=0, le=maximum, allow_inf_nan=False, description=description)


def _minutes(description: str) -> Any:
    return Field(ge=0, le=MAX_MINUTES, allow_inf_nan=False, description=description)


class AreaFigures(BaseModel):
    """One bed area's beds: core (permanent stock) and escalation (temporary)."""

    model_config = ConfigDict(extra="forbid")

    bed_area: BedArea = Field(description="Bed area; adult critical care is `adult_cc`")
    core_open: int = _count("Core beds open")
    core_occupied: int = _count("Core beds occupied")
    escalation_open: int = Field(default=0, ge=0, le=MAX_BEDS, description="Escalation beds open")
    escalation_occupied: int = Field(
        default=0, ge=0, le=MAX_BEDS, description="Escalation beds occupied"
    )

    @property
    def open(self) -> int:
        return self.core_open + self.escalation_open

    @property
    def occupied(self) -> int:
        return self.core_occupied + self.escalation_occupied


class EdFigures(BaseModel):
    """Emergency department figures that feed the acute OPEL score."""

    model_config = ConfigDict(extra="forbid")

    mean_ambulance_handover_minutes: float = _minutes("Mean ambulance handover since midnight")
    four_hour_performance_pct: float = _pct("Current 4-hour ED performance, %")
    ed_majors_resus_occupancy_pct: float = _pct(
        "ED majors + resus occupancy, % (may exceed 100)", MAX_ED_OCCUPANCY_PCT
    )
    median_time_to_treatment_minutes: float = _minutes("Median time to treatment")
    ed_over_12h_pct: float = _pct("% of ED patients in the department over 12 hours")
    ed_referred_to_specialty_pct: float = _pct("% of ED patients referred to a specialty")


class SitrepFiguresData(BaseModel):
    """The figures of one sitrep (as at 08:00 on the sitrep date)."""

    model_config = ConfigDict(extra="forbid")

    beds: list[AreaFigures] = Field(
        min_length=1, max_length=len(BedArea), description="Beds by area, each area at most once"
    )
    los_7_plus: int = _count("Inpatients with a length of stay of 7+ days (stranded)")
    los_14_plus: int = _count("Inpatients with a length of stay of 14+ days")
    los_21_plus: int = _count("Inpatients with a length of stay of 21+ days (super-stranded)")
    beds_closed_dv: int = _count("Beds closed for diarrhoea and vomiting (norovirus)")
    nctr_patients: int = _count("Inpatients with no criteria to reside")
    ed: EdFigures | None = Field(
        default=None, description="ED figures; omit (null) for an organisation without an ED"
    )

    @property
    def total_occupied(self) -> int:
        return sum(area.occupied for area in self.beds)


class SitrepTotals(BaseModel):
    open: int = Field(description="All areas, core + escalation beds open")
    occupied: int = Field(description="All areas, core + escalation beds occupied")
    occupancy_pct: float | None = Field(description="occupied / open x 100; null when none open")
    escalation_open: int
    nctr_pct_of_occupied: float | None = Field(
        description="nctr_patients / occupied x 100 (an OPEL input); null when none occupied"
    )


class SitrepRecorded(OrgScoped):
    """A sitrep as recorded: aggregate figures only."""

    org: str
    date: dt.date = Field(description="The sitrep date (a calendar day in the system's zone)")
    version: int = Field(description="1 for the first submission, +1 per amendment")
    figures: SitrepFiguresData
    totals: SitrepTotals
    submitted_at: dt.datetime
    amended_at: dt.datetime | None
    deadline: dt.datetime
    late: bool
    system: str
    locality: str | None


class SitrepMissed(OrgScoped):
    """An organisation that must report had no sitrep when the deadline passed."""

    org: str
    name: str = Field(description="The organisation's name")
    kind: str
    system: str
    locality: str | None
    date: dt.date
    deadline: dt.datetime


def _sitrep_subject(p: SitrepRecorded | SitrepMissed) -> str:
    return f"sitreps/{p.org}/{p.date.isoformat()}"


SITREP_SUBMITTED = EventType(
    name="sitrep.submitted",
    payload=SitrepRecorded,
    version=1,
    summary="An organisation submitted its daily sitrep",
    producer="capacity",
    subject=_sitrep_subject,
    subject_pattern="sitreps/{org}/{date}",
)
SITREP_AMENDED = EventType(
    name="sitrep.amended",
    payload=SitrepRecorded,
    version=1,
    summary="A sitrep was amended (a new version)",
    producer="capacity",
    subject=_sitrep_subject,
    subject_pattern="sitreps/{org}/{date}",
)
SITREP_MISSED = EventType(
    name="sitrep.missed",
    payload=SitrepMissed,
    version=1,
    summary="An organisation's sitrep was still missing when the deadline passed",
    producer="capacity",
    subject=_sitrep_subject,
    subject_pattern="sitreps/{org}/{date}",
    legacy_names=("sitrep.missing",),
)
