"""Queries for a unit's bed figures and their history."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Table, bindparam, func, insert, select, update
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from wicc_capacity.bed_status.models import BedStatus
from wicc_capacity.beds.models import BedState, BedStateHistory
from wicc_capacity.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.kernel.models import Organisation, Site, Unit
from wicc_shared.kernel.reference_cache import cached_reference

_STATE: Table = BedState.__table__  # type: ignore[attr-defined]
_HISTORY: Table = BedStateHistory.__table__  # type: ignore[attr-defined]
_FIGURES = ("core_open", "escalation_open", "occupied", "closed", "reported_by", "as_of")

_UNIT_WITH_ORG = (
    select(Unit, Site, Organisation)
    .join(Site, col(Site.code) == col(Unit.site_code))
    .join(Organisation, col(Organisation.ods) == col(Unit.org_ods))
    .where(col(Unit.id) == bindparam("unit_id"), col(Unit.active), col(Organisation.active))
)
_LOCK_BED_STATE = (
    select(BedState).where(col(BedState.unit_id) == bindparam("unit_id")).with_for_update()
)
_CREATE_BED_STATE = (
    pg_insert(BedState)
    .values(unit_id=bindparam("unit_id"))
    .on_conflict_do_nothing(index_elements=["unit_id"])
)


def _record_statement() -> Any:
    """A unit's new figures in one round trip (the caller holds the unit's row lock):
    the current row, its history row, the audit entry and the `beds.updated` event."""
    updated = (
        update(_STATE)
        # Not named `unit_id`: execution parameters named after a column would also
        # be SET by an UPDATE.
        .where(_STATE.c.unit_id == bindparam("target_unit"))
        .values({c: bindparam(c, type_=_STATE.c[c].type) for c in (*_FIGURES, "updated_at")})
        .values(version=bindparam("version"))
        .returning(_STATE.c.unit_id)
        .cte("updated")
    )
    history = insert(_HISTORY).from_select(
        ["unit_id", *_FIGURES],
        select(updated.c.unit_id, *[bindparam(c, type_=_HISTORY.c[c].type) for c in _FIGURES]),
    )
    audited, announced = audited_write.ctes(updated, OUTBOX.table)
    return select(updated.c.unit_id).add_cte(history.cte("history"), audited, announced)


_RECORD_FIGURES = _record_statement()


async def unit_with_org(
    session: AsyncSession, unit_id: str
) -> tuple[Unit, Site, Organisation] | None:
    """An active unit of an active organisation, with its site (cached briefly:
    reference_cache)."""
    return await cached_reference(session, "unit", unit_id, load_unit_with_org)


async def load_unit_with_org(
    session: AsyncSession, unit_id: str
) -> tuple[Unit, Site, Organisation] | None:
    row = (await session.execute(_UNIT_WITH_ORG, {"unit_id": unit_id})).first()
    return None if row is None else (row[0], row[1], row[2])


async def lock_bed_state(session: AsyncSession, unit_id: str) -> BedState:
    """The unit's current row, created if missing, locked until the transaction ends.

    The lock serialises concurrent reports for one unit (bed-status writes take it
    too), so a bed is never counted from two interleaved reports. Every unit but a
    brand-new one has its row, so the insert is only tried when the read finds nothing.
    """
    state = await _locked_bed_state(session, unit_id)
    if state is not None:
        return state
    await session.execute(_CREATE_BED_STATE, {"unit_id": unit_id})
    state = await _locked_bed_state(session, unit_id)
    assert state is not None  # inserted above, or by a concurrent first report
    return state


async def record_bed_figures(
    session: AsyncSession, unit_id: str, changes: dict[str, Any], audited: dict[str, Any]
) -> None:
    """Store `changes` (every figure, `as_of`, `updated_at`, `version`) as the locked
    unit's current row, with its history row, audit entry and outbox row (`audited`:
    the bind parameters from `audited_write.prepared`)."""
    params = {"target_unit": unit_id, **changes, **audited}
    updated = await session.execute(_RECORD_FIGURES, params)
    assert updated.scalar_one_or_none() is not None  # the caller holds the row's lock


def show_as_stored(state: BedState, changes: dict[str, Any]) -> None:
    """Give the loaded row the values `record_bed_figures` stores, without making the
    session write them again at its next flush."""
    for name, value in changes.items():
        set_committed_value(state, name, value)


async def _locked_bed_state(session: AsyncSession, unit_id: str) -> BedState | None:
    result = await session.execute(
        _LOCK_BED_STATE, {"unit_id": unit_id}, execution_options={"populate_existing": True}
    )
    return result.scalar_one_or_none()


async def current_bed_state(session: AsyncSession, unit_id: str) -> BedState | None:
    return await session.get(BedState, unit_id)


async def has_bed_rows(session: AsyncSession, unit_id: str) -> bool:
    """True once the unit reports bed by bed (it has at least one bed-status row)."""
    found = await session.scalar(
        select(col(BedStatus.id)).where(col(BedStatus.unit_id) == unit_id).limit(1)
    )
    return found is not None


async def history_page(
    session: AsyncSession,
    unit_id: str,
    *,
    start: datetime | None,
    end: datetime | None,
    limit: int,
    offset: int,
) -> tuple[list[BedStateHistory], int]:
    """A unit's accepted reports with `start <= as_of <= end`, newest first."""
    query = select(BedStateHistory).where(col(BedStateHistory.unit_id) == unit_id)
    if start is not None:
        query = query.where(col(BedStateHistory.as_of) >= start)
    if end is not None:
        query = query.where(col(BedStateHistory.as_of) <= end)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.execute(
        query.order_by(col(BedStateHistory.as_of).desc(), col(BedStateHistory.id).desc())
        .limit(limit)
        .offset(offset)
    )
    return list(rows.scalars().all()), int(total)
