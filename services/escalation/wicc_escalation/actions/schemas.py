"""Request and response bodies for actions."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, ConfigDict, Field, field_validator

MAX_NOTE = 2000


class StatusFilter(StrEnum):
    issued = "issued"
    acknowledged = "acknowledged"
    completed = "completed"
    superseded = "superseded"
    open = "open"  # issued or acknowledged


class OwnerRead(BaseModel):
    """Exactly one is set: a role in the declaring organisation (for a system's
    action, in the control centre), a named organisation, or every organisation of a
    kind in the system."""

    role: str | None
    organisation: str | None
    organisation_kind: str | None


class ActionRead(BaseModel):
    id: str
    declaration_id: str
    about: str = Field(description="`organisation` or `system`")
    org: str | None = Field(description="The declaring organisation; null for a system")
    system: str
    kind: str = Field(description="The action card kind")
    level: int = Field(description="The level whose card issued it")
    card_id: str
    title: str
    owner: OwnerRead
    status: str = Field(description="`issued`, `acknowledged`, `completed` or `superseded`")
    overdue: bool = Field(description="Still not acknowledged at its due time")
    escalated_at: datetime | None = Field(description="When `action.escalated` was sent")
    issued_at: datetime
    due_at: datetime = Field(description="To be acknowledged by then")
    due_in_seconds: float = Field(description="Until the due time; negative once past")
    acknowledged_at: datetime | None
    acknowledged_by: str | None
    completed_at: datetime | None
    completed_by: str | None
    note: str | None = Field(description="The note given on completion")
    superseded_at: datetime | None
    superseded_by: str | None = Field(description="The declaration that stepped down")


class Completion(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"note": "Huddle held at 10:15; bed plan agreed."}]},
    )

    note: str = Field(min_length=1, max_length=MAX_NOTE, description="What was done")

    @field_validator("note")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()
