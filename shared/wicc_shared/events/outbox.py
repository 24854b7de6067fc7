"""The transactional outbox: an event is committed in the same transaction as its write."""

from __future__ import annotations

from typing import Any, TypeVar

from sqlalchemy import (
    BigInteger,
    Column,
    DateTime,
    Identity,
    Index,
    MetaData,
    Table,
    Text,
    func,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.events.envelope import Event
from wicc_shared.logging import correlation_id

OUTBOX_PENDING_KEY = "wicc_outbox_pending"
P = TypeVar("P", bound=EventPayload)


def outbox_table(metadata: MetaData, schema: str) -> Table:
    """The outbox of one service, in that service's own schema."""
    return Table(
        "outbox",
        metadata,
        Column("id", BigInteger, Identity(), primary_key=True),
        Column("event_id", UUID(as_uuid=True), nullable=False, unique=True),
        Column("type", Text, nullable=False),
        Column("subject", Text, nullable=False),
        Column("payload", JSONB, nullable=False),
        Column("created_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        Column("published_at", DateTime(timezone=True)),
        Column("stream_seq", BigInteger),
        Index(
            f"ix_{schema}_outbox_pending", "id", postgresql_where=Column("published_at").is_(None)
        ),
        schema=schema,
    )


class Outbox:
    """One service's outbox: turns catalogue payloads into events and their rows.

    The rows themselves are written by `wicc_shared.audited_write`, in the same
    statement as the audit entry of the change they announce.
    """

    def __init__(self, table: Table, source: str) -> None:
        if table.schema is None:
            raise ValueError("an outbox lives in its service's own schema")
        self.table = table
        self.schema: str = table.schema
        self.source = source

    def prepare(
        self, session: AsyncSession, event_type: EventType[P], payload: P
    ) -> tuple[Event, dict[str, Any]]:
        """The event and its outbox row's column values. The session's commit will
        wake this outbox's relay."""
        if not isinstance(payload, event_type.payload):
            raise TypeError(f"{event_type.name} carries {event_type.payload.__name__}")
        event = Event(
            type=event_type.name,
            source=self.source,
            subject=event_type.subject(payload),
            dataschema=event_type.dataschema,
            data=payload.model_dump(mode="json"),
            correlationid=correlation_id.get(),
        )
        session.info.setdefault(OUTBOX_PENDING_KEY, set()).add(self.schema)
        values = {
            "event_id": event.id,
            "type": event.type,
            "subject": event.subject,
            "payload": event.model_dump(mode="json", exclude={"seq"}),
        }
        return event, values
