"""Queries of the discharge sitrep: the last one announced per trust."""

from __future__ import annotations

from datetime import date, datetime

from sqlalchemy import exists, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_flow.discharge_sitrep.models import DischargeSitrepState
from wicc_flow.patients.models import Patient


async def remember(
    session: AsyncSession, org: str, system: str, day: date, nctr_patients: int, as_of: datetime
) -> None:
    values = dict(
        org_ods=org, system_code=system, sitrep_date=day, nctr_patients=nctr_patients, as_of=as_of
    )
    stmt = insert(DischargeSitrepState).values(**values)
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["org_ods"], set_={k: stmt.excluded[k] for k in values if k != "org_ods"}
        )
    )


async def due_for_new_day(session: AsyncSession, system: str, today: date) -> list[str]:
    """Trusts of the system last announced before `today` that still have something to
    show: open records, or a last sitrep that counted patients (so it goes back to 0)."""
    state = DischargeSitrepState
    has_open = exists().where(
        col(Patient.org_ods) == col(state.org_ods), col(Patient.status) == "ready"
    )
    query = (
        select(col(state.org_ods))
        .where(
            col(state.system_code) == system,
            col(state.sitrep_date) < today,
            has_open | (col(state.nctr_patients) > 0),
        )
        .order_by(col(state.org_ods))
    )
    return list((await session.execute(query)).scalars().all())


async def announced_day(session: AsyncSession, org: str) -> date | None:
    state = await session.get(DischargeSitrepState, org, populate_existing=True)
    return None if state is None else state.sitrep_date
