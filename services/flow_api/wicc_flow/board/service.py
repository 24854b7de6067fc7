"""Admitting a board: the key, the resume point, a hub that is ready."""

from __future__ import annotations

import re

from sqlalchemy.exc import SQLAlchemyError
from starlette.requests import HTTPConnection

from wicc_flow.board.hub import BoardHub
from wicc_flow.state import flow_state
from wicc_shared.auth import principal_for
from wicc_shared.errors import FieldError, ServiceUnavailable, ValidationFailed
from wicc_shared.runtime import runtime_of

# A sequence number: ASCII digits only (str.isdigit() also takes "²"), at most what a
# PostgreSQL bigint and the Redis stream ids hold.
_SEQ = re.compile(r"[0-9]{1,19}")
MAX_SEQ = 2**63 - 1


def ready_hub(conn: HTTPConnection) -> BoardHub:
    hub = flow_state(conn).hub
    if not hub.ready:
        raise ServiceUnavailable("The board is starting (restoring its picture); retry shortly.")
    return hub


def parse_since(since: str | None) -> int | None:
    if since is None:
        return None
    if not _SEQ.fullmatch(since) or int(since) > MAX_SEQ:
        raise ValidationFailed(
            [FieldError("since", "must be a sequence number (0 or more)", "query", "invalid_seq")]
        )
    return int(since)


async def admit(conn: HTTPConnection, since: str | None) -> tuple[BoardHub, int | None]:
    """The hub and the resume point for a board connecting, or a WiccError to refuse it."""
    try:
        async with runtime_of(conn).sessions() as session:
            await principal_for(conn, session)
    except (OSError, SQLAlchemyError) as exc:
        raise ServiceUnavailable("Cannot check the API key now; retry shortly.") from exc
    return ready_hub(conn), parse_since(since)
