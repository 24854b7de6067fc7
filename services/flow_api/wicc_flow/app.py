"""The flow service: (for now) API-key administration and the live board hub."""

from __future__ import annotations

from wicc_flow.admin.router import router as admin_router
from wicc_flow.board.checkpoint import checkpoint_periodically, restore_with_retry
from wicc_flow.board.hub import BoardHub
from wicc_flow.board.page import router as board_page_router
from wicc_flow.board.router import router as board_router
from wicc_flow.tables import OUTBOX
from wicc_shared.runtime import Runtime
from wicc_shared.service import ServiceSpec


async def _start_hub(runtime: Runtime) -> None:
    settings = runtime.settings
    runtime.components["board_hub"] = BoardHub(
        runtime.stream,
        history=settings.board_history,
        client_queue=settings.board_client_queue,
        care_freshness_hours=settings.care_freshness_hours,
        clock=lambda: runtime.clock(),  # read at each call: tests move runtime.clock
    )


async def _run_hub(runtime: Runtime) -> None:
    hub: BoardHub = runtime.components["board_hub"]
    await restore_with_retry(runtime.sessions, hub)
    await hub.run()


async def _watch_stalled_boards(runtime: Runtime) -> None:
    hub: BoardHub = runtime.components["board_hub"]
    await hub.watch_stalls(runtime.settings.board_send_timeout_seconds)


def _hub_ready(runtime: Runtime) -> str:
    hub: BoardHub | None = runtime.components.get("board_hub")
    return "ok" if hub is not None and hub.ready else "restoring"


async def _checkpoint(runtime: Runtime) -> None:
    await checkpoint_periodically(runtime.sessions, runtime.components["board_hub"])


def flow_service() -> ServiceSpec:
    return ServiceSpec(
        name="flow",
        prefix="/flow",
        title="WICC flow",
        description="The live board (snapshot and WebSocket) and API-key administration.",
        routers=[board_router, board_page_router, admin_router],
        outbox=OUTBOX,
        on_start=[_start_hub],
        workers=[_run_hub, _checkpoint, _watch_stalled_boards],
        readiness={"board": _hub_ready},
    )
