"""Queries for bed state."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_capacity.beds.models import BedState
from wicc_shared.kernel.models import Organisation, Site, Unit


async def unit_with_org(
    session: AsyncSession, unit_id: str
) -> tuple[Unit, Site, Organisation] | None:
    row = (
        await session.execute(
            select(Unit, Site, Organisation)
            .join(Site, col(Site.code) == col(Unit.site_code))
            .join(Organisation, col(Organisation.ods) == col(Unit.org_ods))
            .where(col(Unit.id) == unit_id, col(Unit.active))
        )
    ).first()
    return None if row is None else (row[0], row[1], row[2])


async def lock_bed_state(session: AsyncSession, unit_id: str) -> BedState:
    """The unit's current row, created if missing, locked until the transaction ends.

    The lock serialises concurrent reports for one unit, so a bed is never
    counted from two interleaved reports.
    """
    await session.execute(
        insert(BedState).values(unit_id=unit_id).on_conflict_do_nothing(index_elements=["unit_id"])
    )
    return (
        await session.execute(
            select(BedState)
            .where(col(BedState.unit_id) == unit_id)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


async def current_bed_state(session: AsyncSession, unit_id: str) -> BedState | None:
    return await session.get(BedState, unit_id)
