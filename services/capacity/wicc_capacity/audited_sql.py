"""SQL that inserts a write's audit entry and its event in the write's own statement.

The busiest write paths (a new sitrep, a bed update) make their change, its audit
entry and its outbox row in one round trip: each extra round trip cost more CPU than
the SQL itself (docs/performance.md). The column values come from `audit_values` and
`Outbox.prepare`, as on every other write path.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import BindParameter, DateTime, Uuid, bindparam
from sqlalchemy.dialects.postgresql import JSONB


def audited_and_announced(source: str) -> str:
    """Two CTEs, `audited` and `announced`, inserting the audit entry and the outbox
    row once for each row of the CTE `source` (none if it returned no row). Precede
    it with a comma. `source` is a name from our own statements, never input."""
    return f"""
    audited AS (
        INSERT INTO kernel.audit_log (at, actor, actor_role, org_ods, action, entity_type,
                                      entity_id, before, after, correlation_id)
        SELECT :audit_at, :audit_actor, :audit_actor_role, :audit_org_ods, :audit_action,
               :audit_entity_type, :audit_entity_id, :audit_before, :audit_after,
               :audit_correlation_id
        FROM {source}
    ), announced AS (
        INSERT INTO capacity.outbox (event_id, type, subject, payload)
        SELECT :event_event_id, :event_type, :event_subject, :event_payload FROM {source}
    )
"""  # noqa: S608 (`source` is a CTE name written in our code)


def audit_and_event_types() -> list[BindParameter[Any]]:
    """The bind types those CTEs need beyond what their values imply."""
    return [
        bindparam("audit_at", type_=DateTime(timezone=True)),
        bindparam("audit_before", type_=JSONB),
        bindparam("audit_after", type_=JSONB),
        bindparam("event_event_id", type_=Uuid),
        bindparam("event_payload", type_=JSONB),
    ]


def audit_and_event_params(audit: dict[str, Any], event: dict[str, Any]) -> dict[str, Any]:
    """Parameters for those CTEs from an audit entry's and an outbox row's values."""
    params = {f"audit_{k}": v for k, v in audit.items()}
    params.update({f"event_{k}": v for k, v in event.items()})
    return params
