"""Demand against capacity per locality and pathway."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from wicc_flow.demand_capacity import service
from wicc_flow.demand_capacity.schemas import DemandCapacityRead
from wicc_flow.patients import examples
from wicc_flow.state import FlowStateDep
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import json_example, problem_responses

router = APIRouter(prefix="/v1/demand-capacity", tags=["demand and capacity"])


@router.get(
    "",
    response_model=DemandCapacityRead,
    summary="Patients waiting against the care free to take them, per locality and pathway",
    description=(
        "Per destination locality and pathway (1: home care and reablement starts per "
        "day; 2: step-down intermediate care and community hospital beds free; 3: "
        "care-home vacancies by category): the discharge-ready patients waiting now, the "
        "places free in fresh figures, and `gap` = waiting - fresh free. Figures older "
        "than their service's freshness limit (`WICC_CARE_FRESHNESS_HOURS`) are shown "
        "with their age and `stale`, and never counted as free. Capacity is learnt from "
        "the capacity service's `care_capacity.updated` events. A provider serving "
        "several localities counts in full in each: do not add localities up. Counts "
        "only: any key."
    ),
    responses=problem_responses(401, 422) | {200: json_example(examples.DEMAND_CAPACITY)},
)
async def demand_capacity(
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
    system: Annotated[str, Query(max_length=40, description="Care system code")],
    locality: Annotated[str | None, Query(max_length=60, description="One locality")] = None,
) -> DemandCapacityRead:
    return await service.demand_against_capacity(
        session, system, locality, state.patients, now=clock()
    )
