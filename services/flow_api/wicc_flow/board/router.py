"""The live board: a snapshot over HTTP, and snapshot + deltas over a WebSocket."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, WebSocket
from sqlalchemy.exc import SQLAlchemyError

from wicc_flow import examples
from wicc_flow.board.hub import BoardHub
from wicc_flow.board.socket import serve_board
from wicc_shared.auth import PrincipalDep, principal_for
from wicc_shared.errors import (
    FieldError,
    ServiceUnavailable,
    ValidationFailed,
    WiccError,
    problem_for,
)
from wicc_shared.openapi import json_example, problem_responses
from wicc_shared.runtime import runtime_of

router = APIRouter(prefix="/v1/board", tags=["board"])


def board_hub(runtime_holder: Request | WebSocket) -> BoardHub:
    hub: BoardHub = runtime_of(runtime_holder).components["board_hub"]
    if not hub.ready:
        raise ServiceUnavailable("The board is starting (restoring its picture); retry shortly.")
    return hub


@router.get(
    "",
    summary="Snapshot of the live board with its sequence number",
    responses=problem_responses(401, 503) | {200: json_example(examples.BOARD)},
)
async def get_board(request: Request, _principal: PrincipalDep) -> dict[str, Any]:
    return board_hub(request).snapshot()


@router.websocket("/ws")
async def board_socket(
    ws: WebSocket,
    since: Annotated[str | None, Query(description="Last seq received (integer)")] = None,
) -> None:
    """First frame: a snapshot (or, with `since`, exactly the missed events); then
    one frame per event, each with its `seq`. Refusals are problem+json responses
    to the handshake (401, 422, 503)."""
    try:
        hub, since_seq = await _admit(ws, since)
    except WiccError as exc:
        await ws.send_denial_response(problem_for(ws, exc))
        return
    await ws.accept()
    send_timeout = runtime_of(ws).settings.board_send_timeout_seconds
    await serve_board(ws, hub, since_seq, send_timeout=send_timeout)


async def _admit(ws: WebSocket, since: str | None) -> tuple[BoardHub, int | None]:
    try:
        async with runtime_of(ws).sessions() as session:
            await principal_for(ws, session)
    except (OSError, SQLAlchemyError) as exc:
        raise ServiceUnavailable("Cannot check the API key now; retry shortly.") from exc
    if since is not None and not since.isdigit():
        raise ValidationFailed([FieldError("since", "not a non-negative integer", "query")])
    return board_hub(ws), int(since) if since is not None else None
