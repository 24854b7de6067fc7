"""Queries for actions."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_escalation.actions.models import Action
from wicc_escalation.opel.actions import OPEN, ActionStatus
from wicc_shared.kernel.models import Organisation
from wicc_shared.pagination import PageParams, fetch_page


@dataclass(frozen=True, slots=True)
class ActionFilter:
    org: str | None = None
    system: str | None = None
    statuses: frozenset[str] | None = None
    overdue_at: datetime | None = None  # only those overdue at this moment


async def open_actions(session: AsyncSession, about: str, code: str) -> Sequence[Action]:
    """A subject's open actions, locked: a declaration supersedes some of them."""
    return (
        (
            await session.execute(
                select(Action)
                .where(
                    col(Action.about) == about,
                    col(Action.code) == code,
                    col(Action.status).in_([s.value for s in OPEN]),
                )
                .with_for_update()
            )
        )
        .scalars()
        .all()
    )


async def get(session: AsyncSession, action_id: uuid.UUID, *, lock: bool = False) -> Action | None:
    query = select(Action).where(col(Action.id) == action_id)
    if lock:
        query = query.with_for_update()
    return (await session.execute(query)).scalar_one_or_none()


async def page_of(
    session: AsyncSession, where: ActionFilter, page: PageParams
) -> tuple[list[Action], int]:
    query = select(Action)
    if where.org is not None:
        query = query.where(col(Action.code) == where.org, col(Action.about) == "organisation")
    if where.system is not None:
        query = query.where(col(Action.system_code) == where.system)
    if where.statuses is not None:
        query = query.where(col(Action.status).in_(sorted(where.statuses)))
    if where.overdue_at is not None:
        query = query.where(
            col(Action.status) == ActionStatus.issued.value,
            or_(col(Action.due_at) <= where.overdue_at, col(Action.overdue_raised)),
        )
    query = query.order_by(col(Action.issued_at).desc(), col(Action.level), col(Action.card_id))
    return await fetch_page(session, query, page)


async def newly_due(session: AsyncSession, now: datetime, limit: int) -> Sequence[Action]:
    """Issued actions past their due time not yet re-escalated, locked; rows another
    worker holds are skipped (it is escalating them)."""
    return (
        (
            await session.execute(
                select(Action)
                .where(
                    col(Action.status) == ActionStatus.issued.value,
                    col(Action.due_at) <= now,
                    col(Action.overdue_raised).is_(False),
                )
                .order_by(col(Action.due_at))
                .limit(limit)
                .with_for_update(skip_locked=True)
            )
        )
        .scalars()
        .all()
    )


async def organisation(session: AsyncSession, ods: str | None) -> Organisation | None:
    return await session.get(Organisation, ods) if ods else None
