"""The event envelope, in the spirit of CloudEvents 1.0."""

from __future__ import annotations

import json
import uuid
from datetime import UTC, datetime
from typing import Any

from pydantic import BaseModel, ConfigDict, Field


class Event(BaseModel):
    """An event as stored in the outbox and published to the stream.

    `seq` is the position in the event log, assigned when published; it is
    absent (None) until then.
    """

    model_config = ConfigDict(frozen=True)

    specversion: str = "1.0"
    id: uuid.UUID = Field(default_factory=uuid.uuid4)
    type: str
    source: str
    subject: str
    time: datetime = Field(default_factory=lambda: datetime.now(UTC))
    datacontenttype: str = "application/json"
    # Names the payload model and its version (wicc_shared.catalogue); absent only on
    # events written before the catalogue had versions.
    dataschema: str | None = None
    data: dict[str, Any]
    correlationid: str | None = None
    seq: int | None = None

    def to_json(self) -> str:
        return self.model_dump_json(exclude={"seq"})

    @classmethod
    def from_stream(cls, entry_id: str | bytes, payload: str | bytes) -> Event:
        fields = json.loads(payload)
        fields["seq"] = seq_of(entry_id)
        return cls.model_validate(fields)


def seq_of(entry_id: str | bytes) -> int:
    """Stream entries are written with ids `<seq>-0`, so the id carries the sequence."""
    text = entry_id.decode() if isinstance(entry_id, bytes) else entry_id
    return int(text.split("-", 1)[0])


def stream_id(seq: int) -> str:
    return f"{seq}-0"
