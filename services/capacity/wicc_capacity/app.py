"""The capacity service: reference data, live beds, care-package capacity, the daily
sitrep and the FHIR MeasureReport export."""

from __future__ import annotations

from collections.abc import Sequence

from wicc_capacity.bed_status.router import router as bed_status_router
from wicc_capacity.beds.router import router as beds_router
from wicc_capacity.care.router import router as care_router
from wicc_capacity.fhir.router import router as fhir_router
from wicc_capacity.orgs.router import router as orgs_router
from wicc_capacity.rollups.router import router as rollups_router
from wicc_capacity.settings import CapacitySettings
from wicc_capacity.sitreps.deadline import announce_missing_now
from wicc_capacity.sitreps.router import router as sitreps_router
from wicc_capacity.state import CapacityState
from wicc_capacity.tables import OUTBOX
from wicc_shared.idempotency import purge_expired_now
from wicc_shared.runtime import Runtime
from wicc_shared.scheduler import ScheduledJob
from wicc_shared.service import ServiceSpec


async def _state(_runtime: Runtime, settings: CapacitySettings) -> CapacityState:
    return CapacityState(
        settings=settings,
        deadline_check=ScheduledJob(
            "sitrep-deadline", settings.sitrep_check_seconds, announce_missing_now
        ),
        idempotency_purge=ScheduledJob(
            "idempotency-purge", settings.idempotency_purge_seconds, purge_expired_now
        ),
    )


def _jobs(state: CapacityState) -> Sequence[ScheduledJob]:
    return [state.deadline_check, state.idempotency_purge]


def capacity_service() -> ServiceSpec[CapacitySettings, CapacityState]:
    return ServiceSpec(
        name="capacity",
        prefix="/capacity",
        title="WICC capacity",
        description="Reference data, live beds, care-package capacity and the daily sitrep.",
        routers=[
            orgs_router,
            beds_router,
            bed_status_router,
            rollups_router,
            care_router,
            sitreps_router,
            fhir_router,
        ],
        settings_type=CapacitySettings,
        build_state=_state,
        outbox=OUTBOX,
        jobs=_jobs,
    )
