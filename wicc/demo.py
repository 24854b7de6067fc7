"""Demo bed figures for the Wiltshire system, so a fresh board is not empty."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_capacity.beds.models import BedState
from wicc_capacity.beds.schemas import BedStateUpdate, ClosedBeds, ClosureReason
from wicc_capacity.beds.service import update_beds
from wicc_shared.auth import BOOTSTRAP_ADMIN_ID, Principal, Role
from wicc_shared.kernel.models import Unit

DEMO_PRINCIPAL = Principal(key_id=f"{BOOTSTRAP_ADMIN_ID}:demo", role=Role.admin)


async def seed_demo_beds(session: AsyncSession, *, seed: int = 7) -> int:
    """Report figures for every unit, unless any figures exist already."""
    if await session.scalar(select(func.count()).select_from(BedState)):
        return 0
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    units = (await session.execute(select(Unit).where(col(Unit.active)))).scalars().all()
    for unit in units:
        await update_beds(
            session,
            DEMO_PRINCIPAL,
            unit.id,
            demo_figures(unit, rng, now),
            now=now,
            max_skew=timedelta(0),
        )
    return len(units)


def demo_figures(unit: Unit, rng: random.Random, now: datetime) -> BedStateUpdate:
    core = unit.baseline_beds or 10
    escalation = rng.choice([0, 0, 0, 2, 4]) if unit.bed_area == "adult_ga" else 0
    closed = rng.choice([0, 0, 0, 2])
    open_core = core - closed
    occupied = min(open_core + escalation, round((open_core + escalation) * rng.uniform(0.82, 1.0)))
    return BedStateUpdate(
        core_open=open_core,
        escalation_open=escalation,
        occupied=occupied,
        closed=[ClosedBeds(reason=ClosureReason.infection_control, count=closed)] if closed else [],
        as_of=now - timedelta(minutes=rng.randint(5, 180)),
    )
