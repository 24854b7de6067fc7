"""The live board: a snapshot over HTTP, and snapshot + deltas over a WebSocket."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, WebSocket

from wicc_flow import examples
from wicc_flow.board.service import admit, ready_hub
from wicc_flow.board.socket import serve_board
from wicc_flow.state import flow_state
from wicc_shared.auth import PrincipalDep
from wicc_shared.errors import WiccError, problem_for
from wicc_shared.openapi import json_example, problem_responses

router = APIRouter(prefix="/v1/board", tags=["board"])


@router.get(
    "",
    summary="Snapshot of the live board with its sequence number",
    responses=problem_responses(401, 503) | {200: json_example(examples.BOARD)},
)
async def get_board(request: Request, _principal: PrincipalDep) -> dict[str, Any]:
    return ready_hub(request).snapshot()


@router.websocket("/ws")
async def board_socket(
    ws: WebSocket,
    since: Annotated[str | None, Query(description="Last seq received (integer)")] = None,
) -> None:
    """First frame: a snapshot (or, with `since`, exactly the missed events); then
    one frame per event, each with its `seq`. Refusals are problem+json responses
    to the handshake (401, 422, 503)."""
    try:
        hub, since_seq = await admit(ws, since)
    except WiccError as exc:
        await ws.send_denial_response(problem_for(ws, exc))
        return
    await ws.accept()
    send_timeout = flow_state(ws).settings.board_send_timeout_seconds
    await serve_board(ws, hub, since_seq, send_timeout=send_timeout)
