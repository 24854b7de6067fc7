"""Request and response bodies for bed-level status (HL7 v2 table 0116)."""

from __future__ import annotations

from datetime import datetime, timedelta

from pydantic import BaseModel, ConfigDict, Field

from wicc_capacity.beds.schemas import BedStateRead
from wicc_shared.catalogue.beds import BedStatusCode
from wicc_shared.errors import FieldError
from wicc_shared.timestamps import ClientTime

BED_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$"
BED_ID_MAX = 60


class BedStatusUpdate(BaseModel):
    """One bed's status at `as_of`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "O", "escalation": False, "as_of": "2026-11-22T08:00:00Z"}]
        },
    )

    status: BedStatusCode = Field(
        description="HL7 v2-0116: C closed, H housekeeping, I isolated, K contaminated, "
        "O occupied, U unoccupied"
    )
    escalation: bool = Field(
        default=False, description="True for a temporary (escalation) bed, false for core stock"
    )
    as_of: ClientTime = Field(description="The moment the status describes (with offset)")

    def problems(self, now: datetime, max_skew: timedelta) -> list[FieldError]:
        if self.as_of > now + max_skew:
            return [FieldError("as_of", "as_of is in the future", code="future_as_of")]
        return []


class BedRead(BaseModel):
    unit_id: str
    bed_id: str
    status: BedStatusCode
    escalation: bool
    as_of: datetime
    age_seconds: float = Field(description="Seconds between as_of and this response")
    reported_by: str
    updated_at: datetime


class BedStatusRead(BaseModel):
    """The bed as recorded, and its unit's figures recounted from all its beds."""

    bed: BedRead
    unit: BedStateRead
    beds_by_status: dict[str, int] = Field(
        description="The unit's beds by HL7 status code (the detail behind the unit figures)"
    )


class BedRetired(BaseModel):
    """A bed taken out of bed-level reporting, and its unit recounted without it."""

    retired: str = Field(description="The bed_id removed")
    unit: BedStateRead = Field(description="The unit's figures recounted from its other beds")
    beds_by_status: dict[str, int] = Field(description="The unit's remaining beds by status")


class BedLevelEnded(BaseModel):
    """A unit turned back into a count-level unit: its bed rows are gone."""

    unit_id: str
    retired: list[str] = Field(description="The bed_ids removed (empty if it had none)")
