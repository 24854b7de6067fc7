"""Queries for care-package capacity."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_capacity.care.models import CareCapacity, CareCapacityHistory
from wicc_shared.kernel.models import CareService, Locality, Organisation

CurrentRow = tuple[CareCapacity, Organisation, CareService]


async def provider(session: AsyncSession, ods: str) -> Organisation | None:
    org = await session.get(Organisation, ods)
    return org if org is not None and org.active else None


async def offered_services(session: AsyncSession, ods: str) -> Sequence[CareService]:
    return (
        (
            await session.execute(
                select(CareService)
                .where(col(CareService.org_ods) == ods, col(CareService.active))
                .order_by(col(CareService.service_type))
            )
        )
        .scalars()
        .all()
    )


async def lock_service(session: AsyncSession, ods: str, service_type: str) -> CareService | None:
    """The offered service, locked until the transaction ends.

    One lock per provider and service serialises concurrent reports, so the
    rows of one report (a care home's categories) are never interleaved with
    another's. The service row always exists when reporting is allowed, unlike
    the capacity rows, whose set of categories may change between reports.
    """
    return (
        await session.execute(
            select(CareService)
            .where(
                col(CareService.org_ods) == ods,
                col(CareService.service_type) == service_type,
                col(CareService.active),
            )
            .with_for_update()
        )
    ).scalar_one_or_none()


async def current_rows(
    session: AsyncSession, ods: str, service_type: str
) -> Sequence[CareCapacity]:
    return (
        (
            await session.execute(
                select(CareCapacity)
                .where(
                    col(CareCapacity.provider_ods) == ods,
                    col(CareCapacity.service_type) == service_type,
                )
                .order_by(col(CareCapacity.category))
                .execution_options(populate_existing=True)
            )
        )
        .scalars()
        .all()
    )


async def replace_current(
    session: AsyncSession, ods: str, service_type: str, rows: Sequence[dict[str, Any]]
) -> None:
    """A report is the service's whole picture: categories it leaves out are gone.

    Plain statements, not the unit of work: the replaced rows share their keys
    with the new ones, which the identity map would take for a conflict.
    """
    await session.execute(
        delete(CareCapacity)
        .where(
            col(CareCapacity.provider_ods) == ods, col(CareCapacity.service_type) == service_type
        )
        .execution_options(synchronize_session=False)
    )
    await session.execute(insert(CareCapacity), list(rows))


async def current_with_context(
    session: AsyncSession,
    *,
    provider_ods: str | None = None,
    service_type: str | None = None,
    locality: str | None = None,
) -> Sequence[CurrentRow]:
    """Current figures of services still offered, with their provider and service."""
    query = (
        select(CareCapacity, Organisation, CareService)
        .join(Organisation, col(Organisation.ods) == col(CareCapacity.provider_ods))
        .join(
            CareService,
            (col(CareService.org_ods) == col(CareCapacity.provider_ods))
            & (col(CareService.service_type) == col(CareCapacity.service_type)),
        )
        .where(col(Organisation.active), col(CareService.active))
        .order_by(
            col(CareCapacity.provider_ods),
            col(CareCapacity.service_type),
            col(CareCapacity.category),
        )
        # The request may have just replaced these rows with plain statements.
        .execution_options(populate_existing=True)
    )
    if provider_ods is not None:
        query = query.where(col(CareCapacity.provider_ods) == provider_ods)
    if service_type is not None:
        query = query.where(col(CareCapacity.service_type) == service_type)
    if locality is not None:
        query = query.where(col(CareService.localities).contains([locality]))
    return [(row[0], row[1], row[2]) for row in (await session.execute(query)).all()]


async def locality_exists(session: AsyncSession, code: str) -> bool:
    found = await session.scalar(select(func.count()).where(col(Locality.code) == code))
    return bool(found)


async def history(
    session: AsyncSession,
    ods: str,
    *,
    service_type: str | None,
    since: datetime | None,
    until: datetime | None,
    limit: int,
    offset: int,
) -> tuple[Sequence[CareCapacityHistory], int]:
    query = select(CareCapacityHistory).where(col(CareCapacityHistory.provider_ods) == ods)
    if service_type is not None:
        query = query.where(col(CareCapacityHistory.service_type) == service_type)
    if since is not None:
        query = query.where(col(CareCapacityHistory.as_of) >= since)
    if until is not None:
        query = query.where(col(CareCapacityHistory.as_of) <= until)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    page = query.order_by(
        col(CareCapacityHistory.as_of).desc(),
        col(CareCapacityHistory.service_type),
        col(CareCapacityHistory.category),
    )
    rows = (await session.execute(page.limit(limit).offset(offset))).scalars().all()
    return rows, int(total)
