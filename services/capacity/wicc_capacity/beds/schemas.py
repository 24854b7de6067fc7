"""Request and response bodies for a unit's bed figures and their history."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from wicc_shared.catalogue.beds import MAX_BEDS, BedFigures, ClosedBeds, ClosureReason
from wicc_shared.errors import FieldError
from wicc_shared.timestamps import ClientTime

__all__ = [
    "MAX_BEDS",
    "BedHistoryRead",
    "BedStateRead",
    "BedStateUpdate",
    "ClosedBeds",
    "ClosureReason",
]


class BedStateUpdate(BaseModel):
    """A unit's bed figures at `as_of` (core = permanent stock, escalation = temporary)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "core_open": 28,
                    "escalation_open": 2,
                    "occupied": 29,
                    "closed": [{"reason": "infection_control", "count": 2}],
                    "as_of": "2026-11-22T08:00:00Z",
                }
            ]
        },
    )

    core_open: int = Field(ge=0, le=MAX_BEDS, description="Core (permanent) beds open")
    escalation_open: int = Field(ge=0, le=MAX_BEDS, description="Escalation beds open")
    occupied: int = Field(ge=0, le=MAX_BEDS, description="Beds occupied")
    closed: list[ClosedBeds] = Field(
        default_factory=list,
        max_length=len(ClosureReason),
        description="Closed beds by reason",
    )
    as_of: ClientTime = Field(description="The moment the figures describe (with offset)")

    @property
    def open_total(self) -> int:
        return self.core_open + self.escalation_open

    def problems(self, now: datetime, max_skew: timedelta) -> list[FieldError]:
        """Cross-field rules the per-field constraints cannot express."""
        errors = []
        if self.occupied > self.open_total:
            errors.append(
                FieldError(
                    "occupied",
                    f"occupied ({self.occupied}) exceeds open beds "
                    f"({self.open_total} = core_open + escalation_open)",
                    code="occupied_exceeds_open",
                )
            )
        if self.as_of > now + max_skew:
            errors.append(FieldError("as_of", "as_of is in the future", code="future_as_of"))
        reasons = [c.reason for c in self.closed]
        if len(reasons) != len(set(reasons)):
            errors.append(
                FieldError("closed", "each closure reason may appear once", code="duplicate_reason")
            )
        return errors


class _UnitKey(BaseModel):
    unit_id: str
    org: str
    site: str
    bed_area: str


class _HistoryKey(BaseModel):
    unit_id: str


# Keys come last: pydantic orders fields from the last base to the first, so the unit's
# identity leads each JSON object.
class BedStateRead(BedFigures, _UnitKey):
    as_of: datetime | None = Field(description="When the figures were true; null if never reported")
    age_seconds: float | None = Field(description="Seconds between as_of and this response")
    reported_by: str | None
    updated_at: datetime | None
    version: int


class BedHistoryRead(BedFigures, _HistoryKey):
    """One accepted report, with the derived figures a reader would otherwise recompute."""

    as_of: datetime
    age_seconds: float = Field(description="Seconds between as_of and this response")
    reported_by: str | None
    recorded_at: datetime
