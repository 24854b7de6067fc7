"""A unit's accepted bed reports over time."""

from __future__ import annotations

from datetime import datetime

from pydantic import Field
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.beds import repository
from wicc_capacity.beds.models import BedStateHistory
from wicc_capacity.beds.schemas import BedHistoryEntry, ClosedBeds
from wicc_capacity.beds.service import bed_figures, unit_or_404
from wicc_shared.errors import FieldError, ValidationFailed
from wicc_shared.pagination import Page, PageParams


class BedHistoryRead(BedHistoryEntry):
    """One accepted report, with the derived figures a reader would otherwise recompute."""

    unit_id: str
    open: int = Field(description="core_open + escalation_open")
    available: int = Field(description="open - occupied")
    occupancy_pct: float | None = Field(description="occupied / open x 100; null when none open")
    closed_total: int
    age_seconds: float = Field(description="Seconds between as_of and this response")


async def unit_history(
    session: AsyncSession,
    unit_id: str,
    *,
    start: datetime | None,
    end: datetime | None,
    page: PageParams,
    now: datetime,
) -> Page[BedHistoryRead]:
    if start is not None and end is not None and start > end:
        raise ValidationFailed(
            [FieldError("from", "from is after to", location="query", code="from_after_to")]
        )
    await unit_or_404(session, unit_id)
    rows, total = await repository.history_page(
        session, unit_id, start=start, end=end, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[_read(row, now) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


def _read(row: BedStateHistory, now: datetime) -> BedHistoryRead:
    closed = [ClosedBeds.model_validate(c) for c in row.closed]
    return BedHistoryRead(
        unit_id=row.unit_id,
        **bed_figures(row.core_open, row.escalation_open, row.occupied, closed),
        as_of=row.as_of,
        age_seconds=(now - row.as_of).total_seconds(),
        reported_by=row.reported_by,
        recorded_at=row.recorded_at,
    )
