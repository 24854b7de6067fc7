"""Queries for bed-level status."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import delete, func, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_capacity.bed_status.counting import Counts
from wicc_capacity.bed_status.models import BedStatus


async def bed_status(session: AsyncSession, unit_id: str, bed_id: str) -> BedStatus | None:
    return (
        await session.execute(
            select(BedStatus)
            .where(col(BedStatus.unit_id) == unit_id, col(BedStatus.bed_id) == bed_id)
            .execution_options(populate_existing=True)
        )
    ).scalar_one_or_none()


async def bed_status_counts(session: AsyncSession, unit_id: str) -> tuple[Counts, datetime | None]:
    """The unit's beds counted by (status, escalation), and the newest bed `as_of`."""
    rows = (
        await session.execute(
            select(
                col(BedStatus.status),
                col(BedStatus.escalation),
                func.count(),
                func.max(col(BedStatus.as_of)),
            )
            .where(col(BedStatus.unit_id) == unit_id)
            .group_by(col(BedStatus.status), col(BedStatus.escalation))
        )
    ).all()
    counts = {(status, escalation): int(n) for status, escalation, n, _ in rows}
    newest = max((as_of for *_, as_of in rows), default=None)
    return counts, newest


async def list_bed_statuses(
    session: AsyncSession, unit_id: str, *, limit: int, offset: int
) -> tuple[list[BedStatus], int]:
    query = select(BedStatus).where(col(BedStatus.unit_id) == unit_id)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    rows = await session.execute(query.order_by(col(BedStatus.bed_id)).limit(limit).offset(offset))
    return list(rows.scalars().all()), int(total)


async def delete_beds(
    session: AsyncSession, unit_id: str, bed_id: str | None = None
) -> list[tuple[str, str, bool]]:
    """Remove the unit's bed `bed_id` (every bed when None); the removed beds'
    (bed_id, status, escalation), by bed_id.

    Their times are not read back: a bed recorded with an implausible `as_of` before
    client times were checked cannot be read as an aware datetime."""
    table = BedStatus.__table__  # type: ignore[attr-defined]
    statement = delete(table).where(table.c.unit_id == unit_id)
    if bed_id is not None:
        statement = statement.where(table.c.bed_id == bed_id)
    rows = await session.execute(
        statement.returning(table.c.bed_id, table.c.status, table.c.escalation)
    )
    return sorted((r.bed_id, r.status, r.escalation) for r in rows)
