"""Queries for bed roll-ups: every unit in scope with its figure, and sitrep areas."""

from __future__ import annotations

from typing import TypeVarTuple

from sqlalchemy import Select, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_capacity.beds.models import BedState
from wicc_capacity.sitreps.models import AreaBeds
from wicc_shared.kernel.models import CareSystem, Organisation, Site, Unit

_Ts = TypeVarTuple("_Ts")


async def active_org_exists(session: AsyncSession, ods: str) -> bool:
    found = await session.get(Organisation, ods)
    return found is not None and found.active


async def system_exists(session: AsyncSession, code: str) -> bool:
    return await session.get(CareSystem, code) is not None


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
