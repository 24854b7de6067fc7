"""Bed roll-ups over the units and sitrep areas in scope."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.rollups import repository
from wicc_capacity.rollups.compute import compute_rollups
from wicc_capacity.rollups.schemas import BedRollups
from wicc_shared.errors import NotFound
from wicc_shared.rules.staleness import Staleness

# A figure older than this is flagged stale by default (wicc_shared.rules.staleness).
DEFAULT_STALE_AFTER_HOURS = 24.0
MAX_STALE_AFTER_HOURS = 14 * 24.0  # sitreps may be amended for 14 days


async def bed_rollups(
    session: AsyncSession,
    *,
    org: str | None,
    system: str | None,
    bed_area: str | None,
    now: datetime,
    stale_after_hours: float,
) -> BedRollups:
    await _ensure_known(session, org=org, system=system)
    units = await repository.units_with_state(session, org=org, system=system, bed_area=bed_area)
    areas = await repository.area_figures(session, org=org, system=system, bed_area=bed_area)
    return compute_rollups(units, areas, Staleness(now, timedelta(hours=stale_after_hours)))


async def _ensure_known(session: AsyncSession, *, org: str | None, system: str | None) -> None:
    if org is not None and not await repository.active_org_exists(session, org):
        raise NotFound(f"No organisation with ODS code {org!r}.")
    if system is not None and not await repository.system_exists(session, system):
        raise NotFound(f"No care system with code {system!r}.")
