"""Queries for bed state."""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVarTuple

from sqlalchemy import DateTime, Select, bindparam, func, select, text
from sqlalchemy.dialects.postgresql import JSONB, insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm.attributes import set_committed_value
from sqlmodel import col

from wicc_capacity.audited_sql import (
    audit_and_event_params,
    audit_and_event_types,
    audited_and_announced,
)
from wicc_capacity.beds.models import BedState, BedStateHistory
from wicc_capacity.beds.status_models import AreaBeds, BedStatus
from wicc_shared.kernel.models import CareSystem, Organisation, Site, Unit
from wicc_shared.kernel.reference_cache import cached_reference

_Ts = TypeVarTuple("_Ts")


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
    insert(BedState)
    .values(unit_id=bindparam("unit_id"))
    .on_conflict_do_nothing(index_elements=["unit_id"])
)


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

    The lock serialises concurrent reports for one unit, so a bed is never
    counted from two interleaved reports. Every unit but a brand-new one has its
    row, so the insert is only tried when the locking read finds nothing.
    """
    state = await _locked_bed_state(session, unit_id)
    if state is not None:
        return state
    await session.execute(_CREATE_BED_STATE, {"unit_id": unit_id})
    state = await _locked_bed_state(session, unit_id)
    assert state is not None  # inserted above, or by a concurrent first report
    return state


# A unit's new figures in one round trip (the caller holds the unit's row lock): the
# current row, its history row, the audit entry and the `beds.updated` event.
_RECORD_HEAD = """
    WITH updated AS (
        UPDATE capacity.bed_state
        SET core_open = :core_open, escalation_open = :escalation_open,
            occupied = :occupied, closed = :closed, reported_by = :reported_by,
            as_of = :as_of, updated_at = :updated_at, version = :version
        WHERE unit_id = :unit_id
        RETURNING unit_id
    ), history AS (
        INSERT INTO capacity.bed_state_history
            (unit_id, core_open, escalation_open, occupied, closed, reported_by, as_of)
        SELECT unit_id, :core_open, :escalation_open, :occupied, :closed, :reported_by,
               :as_of
        FROM updated
    ),
"""
_RECORD_AUDITED = audited_and_announced("updated")
_RECORD_TAIL = """
    SELECT unit_id FROM updated
"""
_RECORD_FIGURES = text(_RECORD_HEAD + _RECORD_AUDITED + _RECORD_TAIL).bindparams(
    bindparam("closed", type_=JSONB),
    bindparam("as_of", type_=DateTime(timezone=True)),
    bindparam("updated_at", type_=DateTime(timezone=True)),
    *audit_and_event_types(),
)


async def record_bed_figures(
    session: AsyncSession,
    unit_id: str,
    changes: dict[str, Any],
    *,
    audit: dict[str, Any],
    event: dict[str, Any],
) -> None:
    """Store `changes` (every figure, `as_of`, `updated_at`, `version`) as the locked
    unit's current row, with its history row, audit entry and outbox row."""
    params = {"unit_id": unit_id, **changes, **audit_and_event_params(audit, event)}
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


async def bed_status(session: AsyncSession, unit_id: str, bed_id: str) -> BedStatus | None:
    return (
        await session.execute(
            select(BedStatus)
            .where(col(BedStatus.unit_id) == unit_id, col(BedStatus.bed_id) == bed_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def bed_status_counts(
    session: AsyncSession, unit_id: str
) -> tuple[dict[tuple[str, bool], int], datetime | None]:
    """The unit's beds counted by (status, escalation), and the newest bed `as_of`."""
    rows = (
        await session.execute(
            select(
                col(BedStatus.status),
                col(BedStatus.escalation),
                func.count(),
                func.max(col(BedStatus.as_of)),
            )
            .where(col(BedStatus.unit_id) == unit_id)
            .group_by(col(BedStatus.status), col(BedStatus.escalation))
        )
    ).all()
    counts = {(status, escalation): int(n) for status, escalation, n, _ in rows}
    newest = max((as_of for *_, as_of in rows), default=None)
    return counts, newest


async def list_bed_statuses(
    session: AsyncSession, unit_id: str, *, limit: int, offset: int
) -> tuple[list[BedStatus], int]:
    query = select(BedStatus).where(col(BedStatus.unit_id) == unit_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.execute(query.order_by(col(BedStatus.bed_id)).limit(limit).offset(offset))
    return list(rows.scalars().all()), int(total)


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


async def units_with_state(
    session: AsyncSession, *, org: str | None, system: str | None, bed_area: str | None
) -> list[tuple[Unit, Site, Organisation, CareSystem, BedState | None]]:
    """Active units matching the filters, each with its current figure (None if never sent)."""
    query = (
        select(Unit, Site, Organisation, CareSystem, BedState)
        .join(Site, col(Site.code) == col(Unit.site_code))
        .join(Organisation, col(Organisation.ods) == col(Unit.org_ods))
        .join(CareSystem, col(CareSystem.code) == col(Organisation.system_code))
        .outerjoin(BedState, col(BedState.unit_id) == col(Unit.id))
        .where(col(Unit.active), col(Site.active), col(Organisation.active))
        .order_by(col(Unit.id))
    )
    query = _filtered(query, org=org, system=system)
    if bed_area is not None:
        query = query.where(col(Unit.bed_area) == bed_area)
    rows = (await session.execute(query)).all()
    return [(r[0], r[1], r[2], r[3], r[4]) for r in rows]


async def area_figures(
    session: AsyncSession, *, org: str | None, system: str | None, bed_area: str | None
) -> list[tuple[AreaBeds, Organisation, CareSystem]]:
    """Sitrep-fed organisation x bed-area figures matching the filters."""
    query = (
        select(AreaBeds, Organisation, CareSystem)
        .join(Organisation, col(Organisation.ods) == col(AreaBeds.org_ods))
        .join(CareSystem, col(CareSystem.code) == col(Organisation.system_code))
        .where(col(Organisation.active))
    )
    query = _filtered(query, org=org, system=system)
    if bed_area is not None:
        query = query.where(col(AreaBeds.bed_area) == bed_area)
    rows = (await session.execute(query)).all()
    return [(r[0], r[1], r[2]) for r in rows]


def _filtered(query: Select[*_Ts], *, org: str | None, system: str | None) -> Select[*_Ts]:
    if org is not None:
        query = query.where(col(Organisation.ods) == org)
    if system is not None:
        query = query.where(col(Organisation.system_code) == system)
    return query
