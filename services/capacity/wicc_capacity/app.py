"""The capacity service: live beds (and, later, care capacity and sitreps)."""

from __future__ import annotations

from wicc_capacity.beds.router import router as beds_router
from wicc_capacity.orgs.router import router as orgs_router
from wicc_capacity.tables import OUTBOX
from wicc_shared.service import ServiceSpec


def capacity_service() -> ServiceSpec:
    return ServiceSpec(
        name="capacity",
        prefix="/capacity",
        title="WICC capacity",
        description="Live bed capacity by unit, site and organisation, and reference data.",
        routers=[orgs_router, beds_router],
        outbox=OUTBOX,
    )
