"""The escalation service: (for now) the OPEL inputs it learns from the event log."""

from __future__ import annotations

from wicc_escalation.inputs.consumer import inputs_consumer
from wicc_escalation.inputs.router import router as inputs_router
from wicc_escalation.settings import EscalationSettings
from wicc_escalation.state import EscalationState
from wicc_shared.runtime import Runtime
from wicc_shared.service import ServiceSpec


async def _state(_runtime: Runtime, settings: EscalationSettings) -> EscalationState:
    return EscalationState(settings=settings)


async def _run_inputs_consumer(runtime: Runtime, _state: EscalationState) -> None:
    await inputs_consumer(runtime).run()


def escalation_service() -> ServiceSpec[EscalationSettings, EscalationState]:
    return ServiceSpec(
        name="escalation",
        prefix="/escalation",
        title="WICC escalation",
        description="OPEL inputs per organisation (scoring, declarations and action cards follow).",
        routers=[inputs_router],
        settings_type=EscalationSettings,
        build_state=_state,
        worker_tasks=[_run_inputs_consumer],
    )
