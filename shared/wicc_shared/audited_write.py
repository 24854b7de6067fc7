"""One audited write: a change, its audit entry and the event announcing it.

Every accepted write appends an audit entry (who changed what, before and after) and,
when other services or the board must hear of it, an outbox row, all in the request's
transaction. This module is the only place that writes either, so every write path
records them the same way:

- `record()`: after ORM changes, the audit entry and the outbox row in ONE statement.
- `record_derived()`: the outbox row alone, for figures derived from writes already
  audited (a recalculated score), which their service keeps in a history of its own
  (that history row can join the outbox row's statement).
- `ctes()` + `params()`: for the busiest write paths, which make their change in a
  single statement of their own; the two inserts join that statement as CTEs, so a bed
  report or a new sitrep stays one round trip (each extra round trip cost more CPU than
  the SQL itself: docs/performance.md).

Statements are built from the table objects, once per outbox, and cached by SQLAlchemy.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import UTC, datetime
from functools import cache
from typing import Any, Generic, Protocol, TypeVar

from sqlalchemy import CTE, FromClause, Insert, Table, bindparam, insert, select
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.events.envelope import Event
from wicc_shared.events.outbox import Outbox
from wicc_shared.kernel.models import AuditEntry
from wicc_shared.logging import correlation_id

AUDIT: Table = AuditEntry.__table__  # type: ignore[attr-defined]
_AUDIT_COLUMNS = (
    "at",
    "actor",
    "actor_role",
    "org_ods",
    "action",
    "entity_type",
    "entity_id",
    "before",
    "after",
    "correlation_id",
)
_EVENT_COLUMNS = ("event_id", "type", "subject", "payload")
P = TypeVar("P", bound=EventPayload)


class Actor(Protocol):
    """Who made a change: an API key's principal, or WICC itself (`SystemActor`)."""

    @property
    def key_id(self) -> str: ...

    @property
    def audit_role(self) -> str: ...


@dataclass(frozen=True)
class SystemActor:
    """WICC acting on its own (a scheduled job), named in the audit log as such."""

    name: str

    @property
    def key_id(self) -> str:
        return f"system:{self.name}"

    @property
    def audit_role(self) -> str:
        return "system"


@dataclass(frozen=True)
class Change:
    """What the audit log keeps about one accepted write."""

    action: str
    entity_type: str
    entity_id: str
    org_ods: str | None
    before: dict[str, Any] | None
    after: dict[str, Any] | None


@dataclass(frozen=True)
class Announcement(Generic[P]):
    """The event that tells the rest of WICC about a change."""

    outbox: Outbox
    event_type: EventType[P]
    payload: P


def announce(outbox: Outbox, event_type: EventType[P], payload: P) -> Announcement[P]:
    return Announcement(outbox, event_type, payload)


async def record(
    session: AsyncSession,
    principal: Actor,
    change: Change,
    announcement: Announcement[Any] | None = None,
) -> Event | None:
    """Append the audit entry (and the outbox row) for the session's pending change.

    Pending ORM changes are flushed first, so a failing write fails here and nothing
    of it is recorded."""
    await session.flush()
    audit = audit_values(principal, change)
    if announcement is None:
        await session.execute(_audit_alone(), _prefixed("audit", audit))
        return None
    event, row = announcement.outbox.prepare(session, announcement.event_type, announcement.payload)
    statement = _audit_and_event(announcement.outbox.table)
    await session.execute(statement, params(audit, row))
    return event


async def record_derived(
    session: AsyncSession, announcement: Announcement[Any], *, kept: Insert | None = None
) -> Event:
    """Announce a figure WICC derived from writes already audited (an OPEL score
    recomputed from its inputs), without an audit entry of its own: the service keeps
    such figures in its own history table, and recomputing on every input must not
    multiply the audit log, which records who changed what.

    `kept` is that history row's insert: it joins the outbox row's statement as a CTE,
    so the two cost one round trip (the event is on its way to the board).

    Pending ORM changes are flushed first, as `record()` does."""
    await session.flush()
    event, row = announcement.outbox.prepare(session, announcement.event_type, announcement.payload)
    statement = insert(announcement.outbox.table).values(row)
    if kept is not None:
        statement = statement.add_cte(kept.cte("kept"))
    await session.execute(statement)
    return event


def audit_values(principal: Actor, change: Change) -> dict[str, Any]:
    """An audit entry's column values."""
    return {
        "at": datetime.now(UTC),
        "actor": principal.key_id,
        "actor_role": principal.audit_role,
        "org_ods": change.org_ods,
        "action": change.action,
        "entity_type": change.entity_type,
        "entity_id": change.entity_id,
        "before": change.before,
        "after": change.after,
        "correlation_id": correlation_id.get(),
    }


def prepared(
    session: AsyncSession, principal: Actor, change: Change, announcement: Announcement[Any]
) -> tuple[Event, dict[str, Any]]:
    """The event and the bind parameters of `ctes()`, for a statement of its own."""
    event, row = announcement.outbox.prepare(session, announcement.event_type, announcement.payload)
    return event, params(audit_values(principal, change), row)


def ctes(source: FromClause, outbox: Table) -> tuple[CTE, CTE]:
    """Two CTEs inserting the audit entry and the outbox row once for each row of
    `source` (so none when the write it follows changed nothing). Add them to the
    write's statement with `add_cte`; bind them with `prepared()`."""
    audited = insert(AUDIT).from_select(
        list(_AUDIT_COLUMNS), select(*_binds("audit", AUDIT, _AUDIT_COLUMNS)).select_from(source)
    )
    announced = insert(outbox).from_select(
        list(_EVENT_COLUMNS), select(*_binds("event", outbox, _EVENT_COLUMNS)).select_from(source)
    )
    return audited.cte("audited"), announced.cte("announced")


def params(audit: dict[str, Any], event_row: dict[str, Any]) -> dict[str, Any]:
    return _prefixed("audit", audit) | _prefixed("event", event_row)


@cache
def _audit_alone() -> Insert:
    binds = _binds("audit", AUDIT, _AUDIT_COLUMNS)
    return insert(AUDIT).values(dict(zip(_AUDIT_COLUMNS, binds, strict=True)))


@cache
def _audit_and_event(outbox: Table) -> Insert:
    audited = _audit_alone().cte("audited")
    event_values = dict(zip(_EVENT_COLUMNS, _binds("event", outbox, _EVENT_COLUMNS), strict=True))
    return insert(outbox).values(event_values).add_cte(audited)


def _binds(prefix: str, table: Table, columns: tuple[str, ...]) -> list[Any]:
    return [bindparam(f"{prefix}_{c}", type_=table.c[c].type) for c in columns]


def _prefixed(prefix: str, values: dict[str, Any]) -> dict[str, Any]:
    return {f"{prefix}_{k}": v for k, v in values.items()}
