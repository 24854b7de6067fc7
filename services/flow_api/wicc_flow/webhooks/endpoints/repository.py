"""Queries of webhook endpoints."""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import ColumnElement, Select, false, select, true
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_flow.webhooks.access import Owner
from wicc_flow.webhooks.deliveries.routing import Subscriber
from wicc_flow.webhooks.endpoints.models import WebhookEndpoint
from wicc_shared.auth import Principal, Role
from wicc_shared.kernel.models import CareSystem, Organisation
from wicc_shared.pagination import PageParams, fetch_page


async def get(
    session: AsyncSession, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> WebhookEndpoint | None:
    return await session.get(
        WebhookEndpoint, endpoint_id, with_for_update=for_update, populate_existing=for_update
    )


def _managed_by(principal: Principal) -> ColumnElement[bool]:
    """The endpoints `principal` manages, as `access.may_manage` decides it."""
    if principal.is_admin:
        return true()
    if principal.role is not Role.integration:
        return false()
    if principal.org_ods is not None:
        return col(WebhookEndpoint.owner_org) == principal.org_ods
    if principal.system_code is not None:
        return col(WebhookEndpoint.owner_system) == principal.system_code
    return false()


async def page_for(
    session: AsyncSession, principal: Principal, page: PageParams
) -> tuple[list[WebhookEndpoint], int]:
    query: Select[Any] = (
        select(WebhookEndpoint)
        .where(_managed_by(principal))
        .order_by(col(WebhookEndpoint.created_at).desc(), col(WebhookEndpoint.id))
    )
    return await fetch_page(session, query, page)


_ENABLED = select(
    col(WebhookEndpoint.id),
    col(WebhookEndpoint.event_types),
    col(WebhookEndpoint.org_ods),
    col(WebhookEndpoint.system_code),
    col(WebhookEndpoint.owner_org),
    col(WebhookEndpoint.owner_system),
).where(col(WebhookEndpoint.enabled))


async def subscribers(session: AsyncSession) -> list[Subscriber]:
    """The subscription of every enabled endpoint (a system has tens, not thousands),
    read for every event: columns only, no ORM objects."""
    return [
        Subscriber(
            id=row.id,
            event_types=tuple(row.event_types),
            org=row.org_ods,
            system=row.system_code,
            owner=Owner(org=row.owner_org, system=row.owner_system),
        )
        for row in await session.execute(_ENABLED)
    ]


async def organisation(session: AsyncSession, ods: str) -> Organisation | None:
    return await session.get(Organisation, ods)


async def care_system(session: AsyncSession, code: str) -> CareSystem | None:
    return await session.get(CareSystem, code)


async def delete(session: AsyncSession, endpoint: WebhookEndpoint) -> None:
    await session.delete(endpoint)
    await session.flush()
