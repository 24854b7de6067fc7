"""The flow service: the live board (its hub runs in every API process), API-key
administration, and webhooks (their dispatcher runs in the worker)."""

from __future__ import annotations

from wicc_flow.admin.router import router as admin_router
from wicc_flow.board.checkpoint import checkpoint_periodically, restore_with_retry
from wicc_flow.board.hub import BoardHub
from wicc_flow.board.page import router as board_page_router
from wicc_flow.board.router import router as board_router
from wicc_flow.events_doc.router import router as events_doc_router
from wicc_flow.settings import FlowSettings
from wicc_flow.state import FlowState
from wicc_flow.tables import OUTBOX
from wicc_flow.webhooks.deliveries.router import router as deliveries_router
from wicc_flow.webhooks.endpoints.router import router as endpoints_router
from wicc_flow.webhooks.state import build_webhooks, run_dispatcher, run_fanout
from wicc_shared.runtime import Runtime
from wicc_shared.scheduler import ScheduledJob
from wicc_shared.service import ServiceSpec


async def _state(runtime: Runtime, settings: FlowSettings) -> FlowState:
    hub = BoardHub(
        runtime.stream,
        history=settings.board_history,
        client_queue=settings.board_client_queue,
        care_freshness_hours=settings.care_freshness_hours,
        clock=lambda: runtime.clock(),  # read at each call: tests move runtime.clock
    )
    return FlowState(settings=settings, hub=hub, webhooks=build_webhooks(runtime, settings))


async def _run_hub(runtime: Runtime, state: FlowState) -> None:
    await restore_with_retry(runtime.sessions, state.hub)
    await state.hub.run()


async def _checkpoint(runtime: Runtime, state: FlowState) -> None:
    await checkpoint_periodically(runtime.sessions, state.hub)


async def _watch_stalled_boards(_runtime: Runtime, state: FlowState) -> None:
    await state.hub.watch_stalls(state.settings.board_send_timeout_seconds)


async def _fan_out_webhooks(runtime: Runtime, state: FlowState) -> None:
    await run_fanout(runtime, state.webhooks)


async def _deliver_webhooks(_runtime: Runtime, state: FlowState) -> None:
    await run_dispatcher(state.webhooks)


def _jobs(state: FlowState) -> list[ScheduledJob]:
    return [state.webhooks.purge]


def _hub_ready(state: FlowState) -> str:
    return "ok" if state.hub.ready else "restoring"


def flow_service() -> ServiceSpec[FlowSettings, FlowState]:
    return ServiceSpec(
        name="flow",
        prefix="/flow",
        title="WICC flow",
        description=(
            "The live board (snapshot and WebSocket), API-key administration and webhooks "
            "(callbacks to partners' systems)."
        ),
        routers=[
            board_router,
            board_page_router,
            admin_router,
            events_doc_router,
            endpoints_router,
            deliveries_router,
        ],
        settings_type=FlowSettings,
        build_state=_state,
        outbox=OUTBOX,
        api_tasks=[_run_hub, _checkpoint, _watch_stalled_boards],
        worker_tasks=[_fan_out_webhooks, _deliver_webhooks],
        jobs=_jobs,
        readiness={"board": _hub_ready},
    )
