"""HTTP routes for a unit's bed figures and their history (thin: parse, authorise, call)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from wicc_capacity import examples
from wicc_capacity.beds import service
from wicc_capacity.beds.schemas import BedHistoryRead, BedStateRead, BedStateUpdate
from wicc_capacity.state import CapacityStateDep
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import json_example, page_example, problem_responses
from wicc_shared.pagination import Page, PageDep
from wicc_shared.timestamps import ClientTime

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
    state: CapacityStateDep,
    clock: ClockDep,
) -> BedStateRead:
    skew = timedelta(seconds=state.settings.max_clock_skew_seconds)
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


@router.get(
    "/{unit_id}/beds/history",
    response_model=Page[BedHistoryRead],
    summary="A unit's accepted bed reports, newest first",
    description=(
        "Every accepted report for the unit, ordered by `as_of` descending (newest first; "
        "ties by the order accepted, latest first). `from` and `to` are inclusive bounds on "
        "`as_of` and need a UTC offset. For a unit that reports bed by bed, each accepted "
        "bed change adds a row with the recounted unit figures."
    ),
    responses=problem_responses(401, 404, 422)
    | {200: json_example(page_example(examples.BED_HISTORY_ENTRY))},
)
async def get_bed_history(
    unit_id: str,
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    page: PageDep,
    start: Annotated[
        ClientTime | None,
        Query(alias="from", description="Only reports with as_of at or after this moment"),
    ] = None,
    end: Annotated[
        ClientTime | None,
        Query(alias="to", description="Only reports with as_of at or before this moment"),
    ] = None,
) -> Page[BedHistoryRead]:
    return await service.unit_history(
        session, unit_id, start=start, end=end, page=page, now=clock()
    )
