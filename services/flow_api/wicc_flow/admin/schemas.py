"""API-key administration bodies."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from wicc_shared.auth import Role


class ApiKeyCreate(BaseModel):
    """A non-admin key is scoped to exactly one of `org` or `system`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"role": "bed_manager", "org": "RNZ", "label": "Salisbury bed bureau"}]
        },
    )

    role: Role
    org: str | None = Field(default=None, description="ODS code the key is scoped to")
    system: str | None = Field(default=None, description="Care system code the key is scoped to")
    label: str | None = Field(default=None, max_length=200)


class ApiKeyRead(BaseModel):
    id: uuid.UUID
    token_prefix: str = Field(description="First characters of the token, to recognise it")
    role: Role
    org: str | None
    system: str | None
    label: str | None
    created_by: str
    created_at: datetime
    revoked_at: datetime | None


class ApiKeyCreated(ApiKeyRead):
    token: str = Field(description="The bearer token. Shown only in this response.")
