"""Demo care capacity for the Wiltshire system: every care service of the reference data
reports once, in its own unit, an hour or two ago, so the board's care section and its
demand against capacity have figures to show."""

from __future__ import annotations

import random
from collections.abc import Mapping
from datetime import UTC, datetime, timedelta

from sqlalchemy import func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc.demo import DEMO_PRINCIPAL
from wicc_capacity.care.models import CareCapacity
from wicc_capacity.care.schemas import CareCapacityUpdate, CategoryFigures
from wicc_capacity.care.service import Timing, report_capacity
from wicc_shared.catalogue.care import CareHomeCategory
from wicc_shared.kernel.models import CareService

CARE_HOME_CATEGORIES = (CareHomeCategory.residential, CareHomeCategory.nursing)


async def seed_demo_care(
    session: AsyncSession, freshness_hours: Mapping[str, float], *, seed: int = 5
) -> int:
    """Report every active care service once, unless any care figure exists; return how
    many services reported."""
    if await session.scalar(select(func.count()).select_from(CareCapacity)):
        return 0
    rng = random.Random(seed)
    now = datetime.now(UTC).replace(microsecond=0)
    timing = Timing(now=now, max_skew=timedelta(0), freshness_hours=freshness_hours)
    services = await session.execute(
        select(CareService)
        .where(col(CareService.active))
        .order_by(col(CareService.org_ods), col(CareService.service_type))
    )
    reported = 0
    for service in services.scalars().all():
        as_of = now - timedelta(minutes=rng.randint(10, 150))
        update = demo_update(service.service_type, rng, as_of)
        await report_capacity(session, DEMO_PRINCIPAL, service.org_ods, update, timing)
        reported += 1
    return reported


def demo_update(service_type: str, rng: random.Random, as_of: datetime) -> CareCapacityUpdate:
    """Plausible figures for one service: a little spare, as on a pressured day."""
    figures: Mapping[str, float]
    if service_type == "dom_care":
        figures = {
            "package_starts_per_day": rng.randint(1, 4),
            "spare_hours_per_week": float(rng.randint(20, 120)),
        }
    elif service_type == "reablement":
        figures = {"package_starts_per_day": rng.randint(2, 6)}
    elif service_type == "urgent_care_at_home":
        figures = {"slots": rng.randint(2, 8)}
    elif service_type == "care_home":
        return CareCapacityUpdate(
            service_type=service_type, as_of=as_of, categories=_care_home_categories(rng)
        )
    else:  # the bed services: intermediate care and community hospitals
        figures = _beds(rng, beds_max=rng.choice((12, 16, 20, 24)))
    return CareCapacityUpdate.model_validate(
        {"service_type": service_type, "as_of": as_of, **figures}
    )


def _beds(rng: random.Random, beds_max: int) -> dict[str, int]:
    accepting, reserved = rng.randint(0, 3), rng.randint(0, 2)
    return {
        "beds_max": beds_max,
        "beds_occupied": beds_max - accepting - reserved,
        "beds_vacant_reserved": reserved,
        "beds_vacant_accepting": accepting,
    }


def _care_home_categories(rng: random.Random) -> list[CategoryFigures]:
    categories = []
    for category in CARE_HOME_CATEGORIES:
        beds = _beds(rng, beds_max=rng.choice((20, 30, 40)))
        categories.append(
            CategoryFigures(
                category=category,
                max=beds["beds_max"],
                occupied=beds["beds_occupied"],
                vacant_reserved=beds["beds_vacant_reserved"],
                vacant_accepting=beds["beds_vacant_accepting"],
            )
        )
    return categories
