"""Queries of flow's copies of capacity figures (never capacity's own tables)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_flow.capacity_inputs.models import CapacitySitrepNctr, CareCapacityFigures
from wicc_shared.catalogue.care import CareCapacityUpdated
from wicc_shared.catalogue.sitreps import SitrepRecorded


async def upsert_care(session: AsyncSession, care: CareCapacityUpdated) -> None:
    """Keep a provider's latest picture of a service. Delivery can be retried out of
    order, so an older version never replaces a newer one."""
    row = dict(
        provider=care.provider,
        service_type=care.service_type.value,
        system_code=care.system,
        localities=list(care.localities),
        figures=[f.model_dump(mode="json") for f in care.figures],
        as_of=care.as_of,
        version=care.version,
    )
    stmt = insert(CareCapacityFigures).values(**row)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["provider", "service_type"],
            set_={k: stmt.excluded[k] for k in row if k not in ("provider", "service_type")},
            where=col(CareCapacityFigures.version) <= stmt.excluded.version,
        )
    )


async def upsert_sitrep_nctr(session: AsyncSession, sitrep: SitrepRecorded, now: datetime) -> None:
    row = dict(
        org_ods=sitrep.org,
        sitrep_date=sitrep.date,
        nctr_patients=sitrep.figures.nctr_patients,
        version=sitrep.version,
        received_at=now,
    )
    stmt = insert(CapacitySitrepNctr).values(**row)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["org_ods", "sitrep_date"],
            set_={k: stmt.excluded[k] for k in row if k not in ("org_ods", "sitrep_date")},
            where=col(CapacitySitrepNctr.version) <= stmt.excluded.version,
        )
    )


async def care_figures(session: AsyncSession, system: str) -> Sequence[CareCapacityFigures]:
    query = select(CareCapacityFigures).where(col(CareCapacityFigures.system_code) == system)
    return (await session.execute(query)).scalars().all()


async def sitrep_nctr(session: AsyncSession, org: str, day: date) -> int | None:
    row = await session.get(CapacitySitrepNctr, (org, day))
    return None if row is None else row.nctr_patients
