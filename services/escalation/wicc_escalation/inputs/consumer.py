"""Keeps escalation's copy of bed figures current from `beds.updated` events."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_escalation.inputs.models import UnitBeds
from wicc_shared.events.envelope import Event

HANDLED_TYPES = frozenset({"beds.updated"})


async def apply_beds_updated(session: AsyncSession, event: Event) -> None:
    data = event.data
    row = dict(
        unit_id=data["unit_id"],
        org_ods=data["org"],
        bed_area=data["bed_area"],
        open=data["open"],
        occupied=data["occupied"],
        as_of=datetime.fromisoformat(data["as_of"]),
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
