"""Request and response bodies for the daily sitrep."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wicc_capacity.beds.schemas import MAX_BEDS
from wicc_shared.errors import FieldError
from wicc_shared.kernel.reference import BedArea
from wicc_shared.pagination import Page

SITREPS_PATH = "/capacity/v1/sitreps"
AMENDMENT_WINDOW_DAYS = 14
MAX_MINUTES = 10_000
# ED majors + resus occupancy counts patients against cubicles, so it passes 100%
# when corridors are in use (the OPEL bands go above 120%): only sanity-capped.
MAX_ED_OCCUPANCY_PCT = 1_000
MAX_REASON_LENGTH = 1_000

_AREA_EXAMPLE = [
    {
        "bed_area": "adult_ga",
        "core_open": 380,
        "core_occupied": 371,
        "escalation_open": 12,
        "escalation_occupied": 12,
    },
    {
        "bed_area": "adult_cc",
        "core_open": 12,
        "core_occupied": 10,
        "escalation_open": 0,
        "escalation_occupied": 0,
    },
]
_ED_EXAMPLE: dict[str, Any] = {
    "mean_ambulance_handover_minutes": 34.5,
    "four_hour_performance_pct": 71.2,
    "ed_majors_resus_occupancy_pct": 104.0,
    "median_time_to_treatment_minutes": 95,
    "ed_over_12h_pct": 6.1,
    "ed_referred_to_specialty_pct": 22.4,
}
FIGURES_EXAMPLE: dict[str, Any] = {
    "beds": _AREA_EXAMPLE,
    "los_7_plus": 160,
    "los_14_plus": 85,
    "los_21_plus": 41,
    "beds_closed_dv": 4,
    "nctr_patients": 62,
    "ed": _ED_EXAMPLE,
}


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

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [_ED_EXAMPLE]})

    mean_ambulance_handover_minutes: float = _minutes("Mean ambulance handover since midnight")
    four_hour_performance_pct: float = _pct("Current 4-hour ED performance, %")
    ed_majors_resus_occupancy_pct: float = _pct(
        "ED majors + resus occupancy, % (may exceed 100)", MAX_ED_OCCUPANCY_PCT
    )
    median_time_to_treatment_minutes: float = _minutes("Median time to treatment")
    ed_over_12h_pct: float = _pct("% of ED patients in the department over 12 hours")
    ed_referred_to_specialty_pct: float = _pct("% of ED patients referred to a specialty")


class SitrepFigures(BaseModel):
    """The figures of one sitrep (as at 08:00 on the sitrep date)."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [FIGURES_EXAMPLE]})

    beds: list[AreaFigures] = Field(
        min_length=1,
        max_length=len(BedArea),
        description="Beds by area, each area at most once",
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

    def canonical(self) -> dict[str, Any]:
        """The figures as stored: areas in a fixed order, so equal figures compare equal."""
        order = list(BedArea)
        data = self.model_dump(mode="json", include=set(SitrepFigures.model_fields))
        data["beds"].sort(key=lambda area: order.index(BedArea(area["bed_area"])))
        return data

    def problems(self) -> list[FieldError]:
        """Cross-field rules the per-field constraints cannot express."""
        return [*self._area_problems(), *self._patient_problems()]

    def _area_problems(self) -> list[FieldError]:
        errors: list[FieldError] = []
        seen: set[BedArea] = set()
        for i, area in enumerate(self.beds):
            if area.bed_area in seen:
                errors.append(
                    FieldError(
                        f"beds.{i}.bed_area",
                        f"bed area {area.bed_area.value} is given more than once",
                        code="duplicate_bed_area",
                    )
                )
            seen.add(area.bed_area)
            for kind in ("core", "escalation"):
                occupied, open_ = getattr(area, f"{kind}_occupied"), getattr(area, f"{kind}_open")
                if occupied > open_:
                    errors.append(
                        FieldError(
                            f"beds.{i}.{kind}_occupied",
                            f"{kind}_occupied ({occupied}) exceeds {kind}_open ({open_})",
                            code="occupied_exceeds_open",
                        )
                    )
        return errors

    def _patient_problems(self) -> list[FieldError]:
        errors: list[FieldError] = []
        occupied = self.total_occupied
        # Each long-stay count is a subset of the one before it, and all are inpatients.
        for name, value, limit, limit_name, code in (
            ("los_21_plus", self.los_21_plus, self.los_14_plus, "los_14_plus", "los_not_nested"),
            ("los_14_plus", self.los_14_plus, self.los_7_plus, "los_7_plus", "los_not_nested"),
            ("los_7_plus", self.los_7_plus, occupied, "occupied beds", "exceeds_occupied"),
            ("nctr_patients", self.nctr_patients, occupied, "occupied beds", "exceeds_occupied"),
        ):
            if value > limit:
                errors.append(
                    FieldError(name, f"{name} ({value}) exceeds {limit_name} ({limit})", code=code)
                )
        return errors


class SitrepSubmission(SitrepFigures):
    """A new sitrep: one per organisation and date."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"org": "RNZ", "date": "2026-11-23", **FIGURES_EXAMPLE}]},
    )

    org: str = Field(max_length=20, description="ODS code of the reporting organisation")
    date: dt.date = Field(description="The sitrep date (a Europe/London calendar day)")

    def date_problems(self, today: dt.date) -> list[FieldError]:
        """`today` is the calendar day in the organisation's care-system time zone."""
        if self.date > today:
            return [
                FieldError(
                    "date",
                    f"date {self.date} is in the future (today is {today})",
                    code="future_date",
                )
            ]
        oldest = today - dt.timedelta(days=AMENDMENT_WINDOW_DAYS)
        if self.date < oldest:
            return [
                FieldError(
                    "date",
                    f"date {self.date} is older than the {AMENDMENT_WINDOW_DAYS}-day window "
                    f"(earliest {oldest})",
                    code="outside_window",
                )
            ]
        return []


class SitrepAmendment(SitrepFigures):
    """A correction: the complete figures again, and why they changed."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{**FIGURES_EXAMPLE, "reason": "Escalation ward count corrected"}]
        },
    )

    reason: Annotated[str, StringConstraints(strip_whitespace=True)] = Field(
        min_length=1,
        max_length=MAX_REASON_LENGTH,
        description="Why the figures changed (kept with the version; not sent in events)",
    )


class SitrepTotals(BaseModel):
    open: int = Field(description="All areas, core + escalation beds open")
    occupied: int = Field(description="All areas, core + escalation beds occupied")
    occupancy_pct: float | None = Field(description="occupied / open x 100; null when none open")
    escalation_open: int
    nctr_pct_of_occupied: float | None = Field(
        description="nctr_patients / occupied x 100 (an OPEL input); null when none occupied"
    )


class SitrepRead(BaseModel):
    """The current version of a sitrep."""

    id: uuid.UUID
    org: str
    date: dt.date
    version: int = Field(description="1 for the first submission, +1 per amendment")
    figures: SitrepFigures
    totals: SitrepTotals
    submitted_by: str = Field(description="API key id that first submitted it")
    submitted_at: dt.datetime = Field(description="When it was first submitted")
    amended_at: dt.datetime | None = Field(description="When it was last amended")
    deadline: dt.datetime = Field(description="The care system's deadline for this date (UTC)")
    late: bool = Field(description="First submitted after the deadline")
    amendable_until: dt.datetime = Field(description="End of the 14-day amendment window (UTC)")


class SitrepVersionRead(BaseModel):
    version: int
    figures: SitrepFigures
    submitted_by: str = Field(description="API key id that sent this version")
    reason: str | None = Field(description="Why it was amended; null for the first version")
    created_at: dt.datetime


class ReportingStatus(StrEnum):
    submitted = "submitted"
    late = "late"
    missing = "missing"
    pending = "pending"


class OrgSitrepStatus(BaseModel):
    org: str
    name: str
    kind: str
    locality: str | None
    status: ReportingStatus
    submitted_at: dt.datetime | None
    amended_at: dt.datetime | None
    version: int | None


class StatusCounts(BaseModel):
    submitted: int = 0
    late: int = 0
    missing: int = 0
    pending: int = 0


class SitrepStatusPage(Page[OrgSitrepStatus]):
    """Who has reported for one date, with the counts over all organisations."""

    system: str
    date: dt.date
    deadline: dt.datetime = Field(description="The deadline for this date (UTC)")
    counts: StatusCounts = Field(description="Per status, over all organisations (not the page)")


class BulkAccepted(BaseModel):
    row: int = Field(description="Row in the file; the header is row 1")
    org: str
    date: dt.date
    id: uuid.UUID
    version: int
    outcome: str = Field(description="`created`, or `unchanged` for an identical resubmission")


class BulkRejected(BaseModel):
    row: int = Field(description="Row in the file; the header is row 1")
    org: str | None
    date: str | None
    type: str = Field(description="The problem type the row would get on its own")
    status: int
    detail: str
    errors: list[dict[str, str]] = Field(
        default_factory=list, description="Offending fields, named by their CSV column"
    )


class BulkResult(BaseModel):
    accepted: list[BulkAccepted]
    rejected: list[BulkRejected]
    accepted_count: int
    rejected_count: int
