"""The flow service: the live board (its hub runs in every API process), API-key
administration, patient flow (the discharge-ready list, red and green days and what is
derived from them), the daily system-call summaries (built by the worker at each
system's time, and on demand) and webhooks (their dispatcher runs in the worker)."""

from __future__ import annotations

import asyncio
from collections.abc import Sequence

from wicc_flow.admin.router import router as admin_router
from wicc_flow.board.checkpoint import checkpoint_periodically, restore_with_retry
from wicc_flow.board.hub import BoardHub
from wicc_flow.board.page import router as board_page_router
from wicc_flow.board.router import router as board_router
from wicc_flow.capacity_inputs.consumer import capacity_inputs_consumer
from wicc_flow.delay_reasons.router import router as delay_reasons_router
from wicc_flow.demand_capacity.router import router as demand_capacity_router
from wicc_flow.discharge_sitrep.day_change import day_change_job
from wicc_flow.discharge_sitrep.router import router as discharge_sitrep_router
from wicc_flow.events_doc.router import router as events_doc_router
from wicc_flow.patients.config import patient_flow
from wicc_flow.patients.router import router as patients_router
from wicc_flow.red_green.router import router as red_green_router
from wicc_flow.reports.router import router as reports_router
from wicc_flow.settings import FlowSettings
from wicc_flow.state import FlowState
from wicc_flow.summaries import rendering
from wicc_flow.summaries.router import router as summaries_router
from wicc_flow.summaries.schedule import build_due
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
    patients = patient_flow(settings)
    day = day_change_job(patients, settings.discharge_sitrep_check_seconds)
    # Before anything imports matplotlib: it reads MPLCONFIGDIR once, at import.
    rendering.configure(settings.matplotlib_config_dir)

    async def build_summaries(rt: Runtime) -> str:
        return await build_due(rt, settings.care_freshness_hours, patients.reasons)

    schedule = ScheduledJob("summary-schedule", settings.summary_check_seconds, build_summaries)
    return FlowState(
        settings=settings,
        hub=hub,
        patients=patients,
        discharge_sitrep_day=day,
        summary_schedule=schedule,
        webhooks=build_webhooks(runtime, settings),
    )


async def _run_hub(runtime: Runtime, state: FlowState) -> None:
    await restore_with_retry(runtime.sessions, state.hub)
    await state.hub.run()


async def _checkpoint(runtime: Runtime, state: FlowState) -> None:
    await checkpoint_periodically(runtime.sessions, state.hub)


async def _watch_stalled_boards(_runtime: Runtime, state: FlowState) -> None:
    await state.hub.watch_stalls(state.settings.board_send_timeout_seconds)


async def _run_capacity_inputs(runtime: Runtime, _state: FlowState) -> None:
    await capacity_inputs_consumer(runtime).run()


async def _warm_up_renderers(_runtime: Runtime, _state: FlowState) -> None:
    # The summary's renderers import matplotlib and Jinja2 (~1.3 s): once, in the
    # background after start-up, rather than in the first request that needs them.
    await asyncio.to_thread(rendering.warm_up)


async def _fan_out_webhooks(runtime: Runtime, state: FlowState) -> None:
    await run_fanout(runtime, state.webhooks)


async def _deliver_webhooks(_runtime: Runtime, state: FlowState) -> None:
    await run_dispatcher(state.webhooks)


def _jobs(state: FlowState) -> Sequence[ScheduledJob]:
    return [state.discharge_sitrep_day, state.summary_schedule, state.webhooks.purge]


def _hub_ready(state: FlowState) -> str:
    return "ok" if state.hub.ready else "restoring"


def flow_service() -> ServiceSpec[FlowSettings, FlowState]:
    return ServiceSpec(
        name="flow",
        prefix="/flow",
        title="WICC flow",
        description=(
            "The live board (snapshot and WebSocket), API-key administration, patient "
            "flow (the discharge-ready list, red and green days, the derived discharge "
            "sitrep, lost bed days and demand against capacity), the daily system-call "
            "summaries and webhooks (callbacks to partners' systems)."
        ),
        routers=[
            board_router,
            board_page_router,
            admin_router,
            events_doc_router,
            patients_router,
            red_green_router,
            discharge_sitrep_router,
            reports_router,
            demand_capacity_router,
            delay_reasons_router,
            summaries_router,
            endpoints_router,
            deliveries_router,
        ],
        settings_type=FlowSettings,
        build_state=_state,
        outbox=OUTBOX,
        api_tasks=[_run_hub, _checkpoint, _watch_stalled_boards, _warm_up_renderers],
        worker_tasks=[
            _run_capacity_inputs,
            _warm_up_renderers,
            _fan_out_webhooks,
            _deliver_webhooks,
        ],
        jobs=_jobs,
        readiness={"board": _hub_ready},
    )
