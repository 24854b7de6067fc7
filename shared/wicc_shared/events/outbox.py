"""The transactional outbox: an event is committed in the same transaction as its write."""

from __future__ import annotations

from typing import Any

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
    insert,
)
from sqlalchemy.dialects.postgresql import JSONB, UUID
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_shared.events.envelope import Event
from wicc_shared.logging import correlation_id

OUTBOX_PENDING_KEY = "wicc_outbox_pending"


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
    """Adds events to one service's outbox inside the caller's transaction."""

    def __init__(self, table: Table, source: str) -> None:
        self.table = table
        self.source = source
        self._insert = insert(table)  # built once; executed with each event's values

    async def add(
        self, session: AsyncSession, type_: str, subject: str, data: dict[str, Any]
    ) -> Event:
        event, values = self.prepare(session, type_, subject, data)
        await session.execute(self._insert, values)
        return event

    def prepare(
        self, session: AsyncSession, type_: str, subject: str, data: dict[str, Any]
    ) -> tuple[Event, dict[str, Any]]:
        """The event and its outbox row's column values, for a write path that inserts
        the row in its own statement (see the sitrep submission). The session's commit
        will wake this outbox's relay."""
        event = Event(
            type=type_,
            source=self.source,
            subject=subject,
            data=data,
            correlationid=correlation_id.get(),
        )
        session.info.setdefault(OUTBOX_PENDING_KEY, set()).add(self.table.schema)
        values = {
            "event_id": event.id,
            "type": event.type,
            "subject": event.subject,
            "payload": event.model_dump(mode="json", exclude={"seq"}),
        }
        return event, values
