"""Queries for the OPEL inputs escalation keeps (never capacity's tables)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_escalation.inputs.models import UnitBeds
from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.kernel.models import Organisation


async def upsert_unit_beds(session: AsyncSession, beds: BedsUpdated) -> None:
    row = dict(
        unit_id=beds.unit_id,
        org_ods=beds.org,
        bed_area=beds.bed_area.value,
        open=beds.open,
        occupied=beds.occupied,
        as_of=beds.as_of,
    )
    stmt = insert(UnitBeds).values(**row)
    # Retries can reorder delivery: never let an older figure win. Equal as_of must
    # still apply: several beds of one unit are often reported for the same moment.
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["unit_id"],
            set_={k: stmt.excluded[k] for k in row if k != "unit_id"},
            where=col(UnitBeds.as_of) <= stmt.excluded.as_of,
        )
    )


async def org_exists(session: AsyncSession, ods: str) -> bool:
    return await session.get(Organisation, ods) is not None


async def area_beds(
    session: AsyncSession, ods: str, bed_area: str
) -> tuple[int, int, datetime | None]:
    """Open and occupied beds of an organisation's area, and the oldest figure's as_of."""
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(col(UnitBeds.open)), 0),
                func.coalesce(func.sum(col(UnitBeds.occupied)), 0),
                func.min(col(UnitBeds.as_of)),
            ).where(col(UnitBeds.org_ods) == ods, col(UnitBeds.bed_area) == bed_area)
        )
    ).one()
    return int(row[0]), int(row[1]), row[2]
