"""Bed events: a unit's figures, and one bed's status where a trust reports bed by bed."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from wicc_shared.catalogue.base import EventType, OrgScoped
from wicc_shared.kernel.reference import BedArea

MAX_BEDS = 10_000


class ClosureReason(StrEnum):
    infection_control = "infection_control"
    staffing = "staffing"
    estates = "estates"
    other = "other"


class ClosedBeds(BaseModel):
    model_config = ConfigDict(extra="forbid")

    reason: ClosureReason
    count: int = Field(ge=0, le=MAX_BEDS)


class BedFigures(BaseModel):
    """A unit's (or a roll-up's) counts, with what every read derives from them."""

    core_open: int = Field(description="Core (permanent) beds open")
    escalation_open: int = Field(description="Escalation (temporary) beds open")
    open: int = Field(description="core_open + escalation_open")
    occupied: int
    available: int = Field(description="open - occupied")
    occupancy_pct: float | None = Field(description="occupied / open x 100; null when none open")
    closed: list[ClosedBeds] = Field(description="Closed beds by reason (none left out)")
    closed_total: int


class BedStatusCode(StrEnum):
    """HL7 v2 table 0116 (bed status)."""

    closed = "C"
    housekeeping = "H"
    isolated = "I"
    contaminated = "K"
    occupied = "O"
    unoccupied = "U"


class BedsUpdated(OrgScoped):
    """A unit's whole current figure, after a unit-level report or a bed's status change."""

    unit_id: str
    org: str
    site: str
    bed_area: BedArea
    core_open: int = Field(description="Core (permanent) beds open")
    escalation_open: int = Field(description="Escalation (temporary) beds open")
    open: int = Field(description="core_open + escalation_open")
    occupied: int
    available: int = Field(description="open - occupied")
    occupancy_pct: float | None = Field(description="occupied / open x 100; null when none open")
    closed: list[ClosedBeds] = Field(description="Closed beds by reason")
    closed_total: int
    as_of: datetime = Field(description="The moment the figures describe")
    reported_by: str = Field(description="API key id of the reporter")
    updated_at: datetime = Field(description="When WICC accepted the figures")
    version: int = Field(description="Accepted reports for this unit")
    system: str
    locality: str | None


class BedStatusUpdated(OrgScoped):
    """One physical bed's new status (HL7 v2-0116). Its unit's recounted figures follow
    in a `beds.updated` event of the same transaction."""

    unit_id: str
    bed_id: str = Field(description="The trust's own bed identifier (not a person)")
    org: str
    system: str
    status: BedStatusCode
    escalation: bool
    as_of: datetime
    reported_by: str


BEDS_UPDATED = EventType(
    name="beds.updated",
    payload=BedsUpdated,
    version=1,
    summary="A unit's bed figures changed",
    producer="capacity",
    subject=lambda p: f"units/{p.unit_id}",
    subject_pattern="units/{unit_id}",
)
BED_STATUS_UPDATED = EventType(
    name="bed_status.updated",
    payload=BedStatusUpdated,
    version=1,
    summary="One bed's status changed (bed-level reporting)",
    producer="capacity",
    subject=lambda p: f"units/{p.unit_id}/beds/{p.bed_id}",
    subject_pattern="units/{unit_id}/beds/{bed_id}",
)
