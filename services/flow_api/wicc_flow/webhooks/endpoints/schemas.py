"""Request and response bodies of the webhook endpoint API."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from wicc_flow.webhooks.filters import MAX_PATTERNS
from wicc_flow.webhooks.ssrf import MAX_URL_LENGTH

MAX_DESCRIPTION = 500
MAX_IN_FLIGHT = 32

_URL = Field(
    min_length=1,
    max_length=MAX_URL_LENGTH,
    description=(
        "Where callbacks are POSTed: `https` (plain `http` outside production), a public "
        "address (checked at creation and at every delivery)"
    ),
)
_EVENT_TYPES = Field(
    min_length=1,
    max_length=MAX_PATTERNS,
    description=(
        "Event types to receive: exact names (`beds.updated`), a prefix with a trailing "
        "wildcard (`sitrep.*`), or `*`; each must match a type of the event catalogue"
    ),
)
_ORG = Field(default=None, description="Only events about this organisation (ODS code)")
_SYSTEM = Field(default=None, description="Only events about this care system")
_IN_FLIGHT = "Callbacks in flight to it at once (one slow receiver holds no more than this)"


class EndpointCreate(BaseModel):
    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [
                {
                    "url": "https://integration.salisbury.nhs.example/wicc",
                    "event_types": ["beds.updated", "sitrep.*"],
                    "org": "RNZ",
                    "description": "Salisbury bed bureau",
                }
            ]
        },
    )

    url: str = _URL
    event_types: list[str] = _EVENT_TYPES
    org: str | None = _ORG
    system: str | None = _SYSTEM
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    enabled: bool = True
    max_in_flight: int = Field(default=4, ge=1, le=MAX_IN_FLIGHT, description=_IN_FLIGHT)


class EndpointUpdate(BaseModel):
    """Only the fields sent change; send `null` to clear `org`, `system` or `description`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"enabled": True}, {"event_types": ["beds.*"]}]},
    )

    url: str | None = Field(default=None, min_length=1, max_length=MAX_URL_LENGTH)
    event_types: list[str] | None = Field(default=None, min_length=1, max_length=MAX_PATTERNS)
    org: str | None = None
    system: str | None = None
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    enabled: bool | None = None
    max_in_flight: int | None = Field(default=None, ge=1, le=MAX_IN_FLIGHT, description=_IN_FLIGHT)


class Owner(BaseModel):
    org: str | None = Field(description="The owner's organisation; null for an admin's")
    system: str | None = Field(description="The owner's care system; null for an admin's")


class EndpointRead(BaseModel):
    id: uuid.UUID
    url: str
    event_types: list[str]
    org: str | None
    system: str | None
    description: str | None
    enabled: bool
    max_in_flight: int
    owner: Owner = Field(description="Whose endpoint it is: bounds what it may receive")
    disabled_reason: str | None = Field(
        description="`gone` (410), `failing` (5 days), `requested`; null while enabled"
    )
    disabled_at: datetime | None
    failing_since: datetime | None = Field(
        description="First failure since the last success; null when the last attempt succeeded"
    )
    paused_until: datetime | None = Field(description="Held back by the receiver's Retry-After")
    secret_rotated_at: datetime | None
    previous_secret_until: datetime | None = Field(
        description="Until then callbacks are also signed with the secret before the rotation"
    )
    created_by: str
    created_at: datetime
    updated_at: datetime


class EndpointCreated(EndpointRead):
    secret: str | None = Field(
        description=(
            "The signing secret (`whsec_...`), shown only in this response. A retry with the "
            "same Idempotency-Key returns the endpoint with `secret` null: rotate it if lost."
        )
    )


class SecretRotated(BaseModel):
    endpoint: EndpointRead
    secret: str = Field(description="The new signing secret, shown only in this response")
    previous_secret_until: datetime = Field(
        description="The old secret signs too until then, so receivers can switch over"
    )


class PingRequested(BaseModel):
    event_id: uuid.UUID = Field(description="The test event's id: the callback's `webhook-id`")
    endpoint_id: uuid.UUID
    requested_at: datetime
