"""Request and response bodies of the delivery API (log, retry, replay)."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

from wicc_flow.webhooks.ordering import DeliveryStatus
from wicc_shared.timestamps import ClientTime


class AttemptRead(BaseModel):
    number: int = Field(description="1 for the first attempt")
    started_at: datetime
    finished_at: datetime | None
    outcome: str = Field(
        description="`delivered`, `failed`, `gone` (410), `in_flight`, or `abandoned` "
        "(the dispatcher stopped mid-attempt; the delivery was sent again)"
    )
    reason: str | None = Field(
        description="`http_503`, `timeout`, `connect`, `blocked_address`, ..."
    )
    status_code: int | None = Field(description="The receiver's HTTP status, if it answered")
    latency_ms: float | None
    excerpt: str | None = Field(description="The start of the answer (or of the error), 1 KiB")


class DeliveryRead(BaseModel):
    id: uuid.UUID
    endpoint_id: uuid.UUID
    event_id: uuid.UUID = Field(description="The event's id: the `webhook-id` of every attempt")
    event_type: str
    subject: str
    seq: int = Field(description="The event's position in the event log")
    origin: str = Field(description="`event` (as it happened) or `replay`")
    status: DeliveryStatus
    attempts: int
    next_attempt_at: datetime | None = Field(description="When the next attempt is due (pending)")
    last_attempt_at: datetime | None
    response_code: int | None = Field(description="The last attempt's HTTP status, if any")
    reason: str | None = Field(description="The last attempt's outcome, e.g. `http_200`, `timeout`")
    latency_ms: float | None = Field(description="The last attempt's duration")
    excerpt: str | None = Field(description="The start of the last answer (1 KiB at most)")
    created_at: datetime
    delivered_at: datetime | None


class DeliveryDetail(DeliveryRead):
    attempts_made: list[AttemptRead] = Field(description="Every attempt, oldest first")


class ReplayRequest(BaseModel):
    """`since` is a sequence number of the event log (exclusive) or a time (inclusive)."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"since": 1040}, {"since": "2026-11-22T06:00:00Z"}]},
    )

    since: Annotated[int, Field(ge=0)] | ClientTime = Field(
        description=(
            "Re-send what the endpoint's filter matched after this event-log sequence "
            "number (an integer, exclusive), or from this time (with an offset, inclusive)"
        )
    )


class ReplayResult(BaseModel):
    queued: int = Field(description="Deliveries queued by this call")
    from_seq: int = Field(description="The first event-log sequence examined")
    to_seq: int = Field(description="The last event-log sequence examined")
    complete: bool = Field(
        description="False when the call stopped at its limit: call again with since=to_seq"
    )
