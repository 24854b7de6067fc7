"""The escalation service: OPEL calculated from live inputs, declared by people,
explained, with action cards."""

from __future__ import annotations

from collections.abc import Sequence
from functools import partial

from wicc_escalation.actions.router import router as actions_router
from wicc_escalation.actions.service import escalate_overdue_now
from wicc_escalation.declarations.router import router as declarations_router
from wicc_escalation.inputs.consumer import inputs_consumer
from wicc_escalation.inputs.router import router as inputs_router
from wicc_escalation.opel.router import router as opel_router
from wicc_escalation.opel.setup import load_setup
from wicc_escalation.opel.timers import recompute_due_now
from wicc_escalation.settings import EscalationSettings
from wicc_escalation.state import EscalationState
from wicc_escalation.tables import OUTBOX
from wicc_shared.runtime import Runtime
from wicc_shared.scheduler import ScheduledJob
from wicc_shared.service import ServiceSpec


async def _state(_runtime: Runtime, settings: EscalationSettings) -> EscalationState:
    # In every escalation process, API and worker alike: a broken OPEL file stops the
    # process here, with the file and the key named (ConfigError).
    setup = load_setup(settings.opel_system_files)
    return EscalationState(
        settings=settings,
        opel=setup,
        opel_timers=ScheduledJob(
            "opel-timers", settings.opel_timer_seconds, partial(recompute_due_now, setup=setup)
        ),
        action_overdue=ScheduledJob(
            "action-overdue", settings.action_overdue_seconds, escalate_overdue_now
        ),
    )


async def _run_inputs_consumer(runtime: Runtime, state: EscalationState) -> None:
    await inputs_consumer(runtime, state.opel).run()


def _jobs(state: EscalationState) -> Sequence[ScheduledJob]:
    return [state.opel_timers, state.action_overdue]


def escalation_service() -> ServiceSpec[EscalationSettings, EscalationState]:
    return ServiceSpec(
        name="escalation",
        prefix="/escalation",
        title="WICC escalation",
        description=(
            "OPEL: calculated from live inputs with every parameter explained, declared by "
            "people, compared, and the action cards a declared level issues."
        ),
        routers=[opel_router, declarations_router, actions_router, inputs_router],
        settings_type=EscalationSettings,
        build_state=_state,
        outbox=OUTBOX,
        worker_tasks=[_run_inputs_consumer],
        jobs=_jobs,
    )
