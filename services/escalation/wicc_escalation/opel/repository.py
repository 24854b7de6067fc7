"""Queries for calculated OPEL, and the reference data it reads (kernel schema)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import Insert, bindparam, func, select, update
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_escalation.opel.models import ORGANISATION, OpelHistory, OpelState
from wicc_shared.kernel.models import CareSystem, Organisation, Unit
from wicc_shared.pagination import PageParams, fetch_page

# Built once: these run for every input event (and compile from SQLAlchemy's cache).
_LOCK_STATE = (
    select(OpelState)
    .where(col(OpelState.about) == bindparam("about"), col(OpelState.code) == bindparam("code"))
    .with_for_update()
    .execution_options(populate_existing=True)
)
_ORGS = (
    select(col(Organisation.ods), col(Organisation.kind))
    .where(col(Organisation.system_code) == bindparam("system"), col(Organisation.active))
    .subquery("orgs")
)
_STATES = (
    select(col(OpelState.code), col(OpelState.explanation))
    .where(
        col(OpelState.system_code) == bindparam("system"),
        col(OpelState.about) == ORGANISATION,
    )
    .subquery("states")
)
_ORGS_AND_STATES = select(
    _ORGS.c.ods, _ORGS.c.kind, _STATES.c.code, _STATES.c.explanation
).select_from(_ORGS.join(_STATES, _ORGS.c.ods == _STATES.c.code, full=True))


async def active_org(session: AsyncSession, ods: str) -> Organisation | None:
    org = await session.get(Organisation, ods)
    return org if org is not None and org.active else None


async def care_system(session: AsyncSession, code: str) -> CareSystem | None:
    return await session.get(CareSystem, code)


async def orgs_and_states(
    session: AsyncSession, system: str
) -> tuple[list[tuple[str, str]], dict[str, dict[str, Any] | None]]:
    """(ODS, kind) of the system's active organisations, and the stored explanation of
    every organisation state of the system (unlocked: a system's calculation reads them
    as committed, or as this transaction left them, and never waits on an
    organisation's row). One round trip: a full join keeps each side whole."""
    rows = await session.execute(_ORGS_AND_STATES, {"system": system})
    orgs: list[tuple[str, str]] = []
    states: dict[str, dict[str, Any] | None] = {}
    for ods, kind, code, explanation in rows.all():
        if ods is not None:
            orgs.append((ods, kind))
        if code is not None:
            states[code] = explanation
    return orgs, states


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
    """The subject's state row, created when missing, locked until the transaction ends.

    The row exists after a subject's first calculation, so the lock is tried first: one
    round trip on every later calculation. When it is missing, a concurrent first
    calculation may be creating it too: the insert then waits for that one and does
    nothing, and the second read finds its row."""
    params = {"about": about, "code": code}
    found = (await session.execute(_LOCK_STATE, params)).scalar_one_or_none()
    if found is not None:
        return found
    await session.execute(
        insert(OpelState)
        .values(about=about, code=code, system_code=system, pillar=pillar)
        .on_conflict_do_nothing()
    )
    return (await session.execute(_LOCK_STATE, params)).scalar_one()


def add_history(values: dict[str, Any]) -> Insert:
    """A calculation's history row, as a statement: it joins the statement that
    announces the calculation (`audited_write.record_derived`)."""
    return insert(OpelHistory).values(values)


async def state(session: AsyncSession, about: str, code: str) -> OpelState | None:
    return await session.get(OpelState, (about, code))


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
