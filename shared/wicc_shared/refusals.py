"""Refused requests (401, 403) as security events: one structured log line each and a
counter, so that an operator can alert on keys being guessed or misused.

The log line names the key (its id, never the token), its scope, the route template
and the correlation id, and why it was refused.
"""

from __future__ import annotations

import logging
from typing import Any

from starlette.requests import HTTPConnection

from wicc_shared.logging import correlation_id
from wicc_shared.metrics import REFUSALS
from wicc_shared.routes import table_of, template_of

logger = logging.getLogger("wicc.security")
# Where the request guard leaves the principal it authenticated (wicc_shared.guard).
PRINCIPAL_SCOPE_KEY = "wicc.principal"


def record(conn: HTTPConnection, status: int, reason: str) -> None:
    route = _template(conn)
    service = conn.scope.get("root_path", "").strip("/") or "root"
    REFUSALS.labels(service, str(status), route).inc()
    principal: Any = conn.scope.get(PRINCIPAL_SCOPE_KEY)
    logger.warning(
        "request refused",
        extra={
            "event": "security.refusal",
            "status": status,
            "method": conn.scope.get("method", "WEBSOCKET"),
            "route": route,
            "service": service,
            "key_id": getattr(principal, "key_id", None),
            "key_role": getattr(getattr(principal, "role", None), "value", None),
            "org": getattr(principal, "org_ods", None),
            "system": getattr(principal, "system_code", None),
            "reason": reason,
            "client": conn.client.host if conn.client else None,
            # Also added by the formatters; here too so that the record itself has it.
            "correlation_id": correlation_id.get(),
        },
    )


def _template(conn: HTTPConnection) -> str:
    route = conn.scope.get("route")
    if route is not None:
        return str(getattr(route, "path", "unmatched"))
    # Refused before routing (the request guard): match the path once, here only.
    app = conn.scope.get("app")
    return template_of(table_of(app), conn.scope) if app is not None else "unmatched"
