"""Request and response bodies for declarations."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field, field_validator

from wicc_escalation.actions.schemas import ActionRead

MAX_REASON = 2000


class DeclarationCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "level": 3,
                    "reason": "ED at 120 % with 14 ambulances waiting; two wards closed (D&V).",
                }
            ]
        },
    )

    level: int = Field(strict=True, ge=1, le=4, description="OPEL 1 to 4")
    reason: str = Field(
        min_length=1,
        max_length=MAX_REASON,
        description="Why (kept in the API and the audit log, never sent in events)",
    )

    @field_validator("reason")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        if not value.strip():
            raise ValueError("must not be blank")
        return value.strip()


class DeclarationRead(BaseModel):
    id: str
    about: str = Field(description="`organisation` or `system`")
    org: str | None = Field(description="The organisation; null for a system")
    system: str
    level: int
    previous_level: int | None
    calculated_level: int | None = Field(description="The calculated level at that moment")
    reason: str
    declared_at: datetime
    declared_by: str = Field(description="API key id")
    declared_role: str
    age_seconds: float


class DeclarationResult(DeclarationRead):
    """A new declaration with the actions it issued and superseded."""

    actions_issued: list[ActionRead]
    actions_superseded: list[str] = Field(description="Ids of the actions it closed")
