"""The capacity service: live beds (and, later, care capacity and sitreps)."""

from __future__ import annotations

from wicc_capacity.beds.rollup_router import router as bed_rollup_router
from wicc_capacity.beds.router import router as beds_router
from wicc_capacity.care.router import router as care_router
from wicc_capacity.fhir.router import router as fhir_router
from wicc_capacity.orgs.router import router as orgs_router
from wicc_capacity.sitreps.deadline import run_deadline_worker
from wicc_capacity.sitreps.router import router as sitreps_router
from wicc_capacity.tables import OUTBOX
from wicc_shared.idempotency import purge_worker
from wicc_shared.service import ServiceSpec


def capacity_service() -> ServiceSpec:
    return ServiceSpec(
        name="capacity",
        prefix="/capacity",
        title="WICC capacity",
        description="Live beds, care-package capacity, the daily sitrep and reference data.",
        routers=[
            orgs_router,
            beds_router,
            bed_rollup_router,
            care_router,
            sitreps_router,
            fhir_router,
        ],
        outbox=OUTBOX,
        workers=[run_deadline_worker, purge_worker],
    )
