"""Request and response bodies of red and green days."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field

from wicc_flow.patients import examples
from wicc_flow.red_green.reasons import Group, RedReason
from wicc_shared.errors import FieldError


class Colour(StrEnum):
    red = "red"
    green = "green"


class DayRecord(BaseModel):
    model_config = ConfigDict(extra="forbid", json_schema_extra={"examples": [examples.DAY_RECORD]})

    colour: Colour
    reason: RedReason | None = Field(
        default=None, description="Required for a red day; not allowed for a green one"
    )
    recorded_by: str = Field(
        min_length=1, max_length=100, description="Who marked it (a role or initials)"
    )

    def problems(self) -> list[FieldError]:
        if self.colour is Colour.red and self.reason is None:
            return [FieldError("reason", "a red day needs a reason", code="reason_required")]
        if self.colour is Colour.green and self.reason is not None:
            return [FieldError("reason", "a green day has no reason", code="not_applicable")]
        return []


class DayRead(BaseModel):
    patient_id: uuid.UUID
    date: date
    org: str
    unit_id: str
    colour: Colour
    reason: RedReason | None
    reason_group: Group | None = Field(description="`internal` or `external` for a red day")
    recorded_by: str
    recorded_at: datetime


class ReasonTally(BaseModel):
    reason: RedReason
    group: Group
    patients: int


class WardDay(BaseModel):
    """One ward's day. Patients not marked are `not_recorded`, never counted green."""

    org: str
    unit_id: str
    date: date
    patients: int = Field(description="Discharge-ready patients in hospital that day")
    green: int
    red: int
    not_recorded: int
    green_pct: float | None = Field(description="green / patients x 100; null without patients")
    red_internal: int
    red_external: int
    red_by_reason: list[ReasonTally]


class RedGreenPage(BaseModel):
    items: list[WardDay]
    total: int
    limit: int
    offset: int
    date: date
    as_of: datetime = Field(description="When the shares were counted")
