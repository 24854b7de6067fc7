"""Append-only audit of accepted writes."""

from __future__ import annotations

from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_shared.auth import Principal
from wicc_shared.kernel.models import AuditEntry
from wicc_shared.logging import correlation_id


async def record_audit(
    session: AsyncSession,
    principal: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: str,
    org_ods: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> None:
    session.add(
        AuditEntry(
            actor=principal.key_id,
            actor_role=principal.role.value,
            org_ods=org_ods,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            before=before,
            after=after,
            correlation_id=correlation_id.get(),
        )
    )
    await session.flush()
