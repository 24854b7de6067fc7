"""HTTP routes for bed state (thin: parse, authorise, call the service)."""

from __future__ import annotations

from datetime import timedelta

from fastapi import APIRouter

from wicc_capacity import examples
from wicc_capacity.beds import service
from wicc_capacity.beds.schemas import BedStateRead, BedStateUpdate
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import RuntimeDep, SessionDep
from wicc_shared.openapi import json_example, problem_responses

router = APIRouter(prefix="/v1/units", tags=["beds"])


@router.put(
    "/{unit_id}/beds",
    response_model=BedStateRead,
    summary="Report a unit's bed figures",
    description=(
        "Replaces the unit's current figures when `as_of` is newer than the recorded one. "
        "Retrying the same report is safe (200, no new version). An older or conflicting "
        "report for an already-recorded moment gets 409 `stale-update` and changes nothing."
    ),
    responses=problem_responses(401, 403, 404, 409, 422) | {200: json_example(examples.BEDS)},
)
async def put_beds(
    unit_id: str,
    body: BedStateUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    clock: ClockDep,
) -> BedStateRead:
    skew = timedelta(seconds=runtime.settings.max_clock_skew_seconds)
    return await service.update_beds(session, principal, unit_id, body, now=clock(), max_skew=skew)


@router.get(
    "/{unit_id}/beds",
    response_model=BedStateRead,
    summary="A unit's current bed figures",
    responses=problem_responses(401, 404) | {200: json_example(examples.BEDS)},
)
async def get_beds(
    unit_id: str, session: SessionDep, _principal: PrincipalDep, clock: ClockDep
) -> BedStateRead:
    return await service.get_beds(session, unit_id, clock())
