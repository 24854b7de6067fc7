"""Append-only audit of accepted writes."""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

from sqlalchemy import insert
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_shared.auth import Principal
from wicc_shared.kernel.models import AuditEntry
from wicc_shared.logging import correlation_id

# A plain Core INSERT built once: no unit-of-work bookkeeping for a row that is
# never read back or changed in the same transaction.
_INSERT_ENTRY = insert(AuditEntry.__table__)  # type: ignore[attr-defined]


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
    # Pending ORM changes go first, so the audited write fails here, not at commit.
    await session.flush()
    await session.execute(
        _INSERT_ENTRY,
        audit_values(
            principal,
            action=action,
            entity_type=entity_type,
            entity_id=entity_id,
            org_ods=org_ods,
            before=before,
            after=after,
        ),
    )


def audit_values(
    principal: Principal,
    *,
    action: str,
    entity_type: str,
    entity_id: str,
    org_ods: str | None,
    before: dict[str, Any] | None,
    after: dict[str, Any] | None,
) -> dict[str, Any]:
    """An audit entry's column values, for a write path that inserts the entry in its
    own statement (see the sitrep submission); `record_audit` uses the same."""
    return {
        "at": datetime.now(UTC),
        "actor": principal.key_id,
        "actor_role": principal.role.value,
        "org_ods": org_ods,
        "action": action,
        "entity_type": entity_type,
        "entity_id": entity_id,
        "before": before,
        "after": after,
        "correlation_id": correlation_id.get(),
    }
