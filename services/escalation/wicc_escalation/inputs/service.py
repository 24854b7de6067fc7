"""The figures OPEL scoring uses, with their age."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_escalation.inputs import repository
from wicc_escalation.inputs.schemas import GaOccupancy
from wicc_shared.errors import NotFound
from wicc_shared.kernel.reference import BedArea
from wicc_shared.rules.occupancy import occupancy_pct
from wicc_shared.rules.staleness import age_seconds


async def ga_occupancy(session: AsyncSession, ods: str, now: datetime) -> GaOccupancy:
    if not await repository.org_exists(session, ods):
        raise NotFound(f"No organisation with ODS code {ods!r}.")
    open_, occupied, oldest = await repository.area_beds(session, ods, BedArea.adult_ga.value)
    return GaOccupancy(
        org=ods,
        open=open_,
        occupied=occupied,
        occupancy_pct=occupancy_pct(occupied, open_),
        oldest_as_of=oldest,
        age_seconds=age_seconds(oldest, now) if oldest else None,
    )
