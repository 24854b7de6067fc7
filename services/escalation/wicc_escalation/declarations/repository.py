"""Queries for declarations."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_escalation.declarations.models import Declaration
from wicc_shared.pagination import PageParams, fetch_page


async def page_of(
    session: AsyncSession,
    about: str,
    code: str,
    period: tuple[datetime | None, datetime | None],
    page: PageParams,
) -> tuple[list[Declaration], int]:
    since, until = period
    query = select(Declaration).where(
        col(Declaration.about) == about, col(Declaration.code) == code
    )
    if since is not None:
        query = query.where(col(Declaration.declared_at) >= since)
    if until is not None:
        query = query.where(col(Declaration.declared_at) < until)
    query = query.order_by(col(Declaration.declared_at).desc(), col(Declaration.id))
    return await fetch_page(session, query, page)
