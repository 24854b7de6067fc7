"""Request and response bodies for the daily sitrep."""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum
from typing import Annotated, Any

from pydantic import BaseModel, ConfigDict, Field, StringConstraints

from wicc_shared.catalogue.sitreps import SitrepFiguresData, SitrepTotals
from wicc_shared.errors import FieldError
from wicc_shared.kernel.reference import BedArea
from wicc_shared.pagination import Page
from wicc_shared.timestamps import ClientDate

SITREPS_PATH = "/capacity/v1/sitreps"
AMENDMENT_WINDOW_DAYS = 14
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


class SitrepFigures(SitrepFiguresData):
    """The figures of one sitrep (as at 08:00 on the sitrep date), with the rules a
    submission must meet beyond each field's range."""

    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [FIGURES_EXAMPLE]})

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
    date: ClientDate = Field(description="The sitrep date (a Europe/London calendar day)")

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
