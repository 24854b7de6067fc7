"""The live board: a snapshot over HTTP, and snapshot + deltas over a WebSocket."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request, WebSocket

from wicc_flow.board.hub import BoardHub
from wicc_flow.board.socket import serve_board
from wicc_shared.auth import PrincipalDep, principal_for
from wicc_shared.errors import Unauthorized, problem_response
from wicc_shared.openapi import problem_responses
from wicc_shared.runtime import runtime_of

router = APIRouter(prefix="/v1/board", tags=["board"])
POLICY_VIOLATION = 1008


def board_hub(runtime_holder: Request | WebSocket) -> BoardHub:
    hub: BoardHub = runtime_of(runtime_holder).components["board_hub"]
    return hub


@router.get(
    "",
    summary="Snapshot of the live board with its sequence number",
    responses=problem_responses(401),
)
async def get_board(request: Request, _principal: PrincipalDep) -> dict[str, Any]:
    return board_hub(request).snapshot()


@router.websocket("/ws")
async def board_socket(
    ws: WebSocket,
    since: Annotated[int | None, Query(ge=0, description="Last seq received")] = None,
) -> None:
    """First frame: a snapshot (or, with `since`, exactly the missed events); then
    one frame per event, each with its `seq`."""
    runtime = runtime_of(ws)
    try:
        async with runtime.sessions() as session:
            await principal_for(ws, session)
    except Unauthorized as exc:
        denial = problem_response(
            ws,
            status=401,
            slug=exc.slug,
            title=exc.title,
            detail=exc.detail,
            headers=exc.headers,
        )
        await ws.send_denial_response(denial)
        return
    await ws.accept()
    await serve_board(ws, board_hub(ws), since, runtime.settings.board_send_timeout_seconds)
