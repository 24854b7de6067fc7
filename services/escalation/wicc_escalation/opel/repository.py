"""Queries for calculated OPEL, and the reference data it reads (kernel schema)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_escalation.opel.models import ORGANISATION, OpelHistory, OpelState
from wicc_shared.kernel.models import CareSystem, Organisation, Unit
from wicc_shared.pagination import PageParams, fetch_page


async def active_org(session: AsyncSession, ods: str) -> Organisation | None:
    org = await session.get(Organisation, ods)
    return org if org is not None and org.active else None


async def care_system(session: AsyncSession, code: str) -> CareSystem | None:
    return await session.get(CareSystem, code)


async def orgs_of_system(session: AsyncSession, system: str) -> list[tuple[str, str]]:
    """(ODS, kind) of the system's active organisations."""
    rows = await session.execute(
        select(col(Organisation.ods), col(Organisation.kind)).where(
            col(Organisation.system_code) == system, col(Organisation.active)
        )
    )
    return [(ods, kind) for ods, kind in rows.all()]


async def core_beds(session: AsyncSession, system: str, bed_area: str) -> dict[str, float]:
    """Each organisation's core beds of `bed_area`: its active units' baseline beds."""
    rows = await session.execute(
        select(col(Unit.org_ods), func.sum(col(Unit.baseline_beds)))
        .join(Organisation, col(Organisation.ods) == col(Unit.org_ods))
        .where(
            col(Organisation.system_code) == system,
            col(Unit.bed_area) == bed_area,
            col(Unit.active),
            col(Unit.baseline_beds).is_not(None),
        )
        .group_by(col(Unit.org_ods))
    )
    return {ods: float(beds or 0) for ods, beds in rows.all()}


async def lock_state(
    session: AsyncSession, about: str, code: str, system: str, pillar: str | None = None
) -> OpelState:
    """The subject's state row, created when missing, locked until the transaction ends."""
    await session.execute(
        insert(OpelState)
        .values(about=about, code=code, system_code=system, pillar=pillar)
        .on_conflict_do_nothing()
    )
    return (
        await session.execute(
            select(OpelState)
            .where(col(OpelState.about) == about, col(OpelState.code) == code)
            .with_for_update()
            .execution_options(populate_existing=True)
        )
    ).scalar_one()


async def state(session: AsyncSession, about: str, code: str) -> OpelState | None:
    return await session.get(OpelState, (about, code))


async def org_states(session: AsyncSession, system: str) -> Sequence[OpelState]:
    """The system's organisations' states, unlocked: a system's calculation reads
    them as committed and never waits on an organisation's row."""
    return (
        (
            await session.execute(
                select(OpelState).where(
                    col(OpelState.system_code) == system, col(OpelState.about) == ORGANISATION
                )
            )
        )
        .scalars()
        .all()
    )


async def due(session: AsyncSession, now: datetime, limit: int) -> list[tuple[str, str]]:
    """Subjects whose timer is due, organisations first (a system follows its members)."""
    rows = await session.execute(
        select(col(OpelState.about), col(OpelState.code))
        .where(col(OpelState.due_at) <= now)
        .order_by(col(OpelState.about), col(OpelState.due_at))
        .limit(limit)
    )
    return [(about, code) for about, code in rows.all()]


async def history(
    session: AsyncSession,
    about: str,
    code: str,
    since: datetime | None,
    until: datetime | None,
    page: PageParams,
) -> tuple[list[OpelHistory], int]:
    query = select(OpelHistory).where(
        col(OpelHistory.about) == about, col(OpelHistory.code) == code
    )
    bounds = []
    if since is not None:
        bounds.append(col(OpelHistory.computed_at) >= since)
    if until is not None:
        bounds.append(col(OpelHistory.computed_at) < until)
    query = query.where(*bounds).order_by(
        col(OpelHistory.computed_at).desc(), col(OpelHistory.id).desc()
    )
    return await fetch_page(session, query, page)


async def forget_timer(session: AsyncSession, about: str, code: str) -> None:
    """A subject no longer scored (its configuration changed) needs no timer."""
    await session.execute(
        update(OpelState)
        .where(col(OpelState.about) == about, col(OpelState.code) == code)
        .values(due_at=None)
    )
