"""HTTP routes for bed-level status (thin: parse, authorise, call the service)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Path

from wicc_capacity import examples
from wicc_capacity.bed_status import service
from wicc_capacity.bed_status.schemas import (
    BED_ID_MAX,
    BED_ID_PATTERN,
    BedLevelEnded,
    BedRead,
    BedRetired,
    BedStatusRead,
    BedStatusUpdate,
)
from wicc_capacity.state import CapacityStateDep
from wicc_shared.auth import AdminDep, PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import json_example, page_example, problem_responses
from wicc_shared.pagination import Page, PageDep

router = APIRouter(prefix="/v1/units", tags=["beds"])

BedIdPath = Annotated[
    str,
    Path(
        min_length=1,
        max_length=BED_ID_MAX,
        pattern=BED_ID_PATTERN,
        description="The trust's own bed identifier, unique within the unit",
    ),
]


@router.put(
    "/{unit_id}/bed-status/{bed_id}",
    response_model=BedStatusRead,
    summary="Report one bed's status (HL7 v2-0116)",
    description=(
        "Records the bed's status and recounts the unit's figures from all its beds in the "
        "same transaction, so the unit's figures always equal its beds. O counts as open and "
        "occupied; U open and available; H (housekeeping) open but not available, so it "
        "counts as occupied; I and K closed for infection control; C closed (reason "
        "`other`). `escalation: true` puts an open bed in `escalation_open`.\n\n"
        "Ordering is per bed: an older `as_of`, or the same `as_of` with a different status, "
        "gets 409 `stale-update`; resending the same status and `as_of` is safe (200, "
        "nothing new recorded). Once a unit has any bed-level status, unit-level reports to "
        "`PUT /units/{unit_id}/beds` get 409 `bed-level-unit`."
    ),
    responses=problem_responses(401, 403, 404, 409, 422) | {200: json_example(examples.BED_STATUS)},
)
async def put_bed_status(
    unit_id: str,
    bed_id: BedIdPath,
    body: BedStatusUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    state: CapacityStateDep,
    clock: ClockDep,
) -> BedStatusRead:
    skew = timedelta(seconds=state.settings.max_clock_skew_seconds)
    return await service.update_bed_status(
        session, principal, unit_id, bed_id, body, now=clock(), max_skew=skew
    )


@router.get(
    "/{unit_id}/bed-status",
    response_model=Page[BedRead],
    summary="A unit's beds and their current status",
    description="Beds reported bed by bed, ordered by `bed_id`; empty for a unit-level unit.",
    responses=problem_responses(401, 404, 422) | {200: json_example(page_example(examples.BED))},
)
async def list_bed_status(
    unit_id: str, session: SessionDep, _principal: PrincipalDep, clock: ClockDep, page: PageDep
) -> Page[BedRead]:
    return await service.list_beds(session, unit_id, page, clock())


@router.delete(
    "/{unit_id}/bed-status/{bed_id}",
    response_model=BedRetired,
    summary="Retire a bed (admin): remove it and recount its unit",
    description=(
        "For a bed that no longer exists, or whose status was recorded wrongly. The bed's "
        "row is removed and the unit's figures are recounted from its other beds, as of now "
        "(never older than the recorded figure), with a new version and a `beds.updated` "
        "event, under the same unit lock as bed-status writes. The bed's last state is kept "
        "in the audit log (`bed.retired`). Reporting the bed again makes it a new bed."
    ),
    responses=problem_responses(401, 403, 404, 422) | {200: json_example(examples.BED_RETIRED)},
)
async def retire_bed(
    unit_id: str, bed_id: BedIdPath, session: SessionDep, admin: AdminDep, clock: ClockDep
) -> BedRetired:
    return await service.retire_bed(session, admin, unit_id, bed_id, now=clock())


@router.delete(
    "/{unit_id}/bed-status",
    response_model=BedLevelEnded,
    summary="Turn a bed-level unit back into a count-level one (admin)",
    description=(
        "Removes every bed row of the unit, so that `PUT /units/{unit_id}/beds` is accepted "
        "again. The unit keeps its current figure (as its beds last counted it) until its "
        "first count report, which must have a newer `as_of`; meanwhile the figure ages and "
        "turns stale as any other. The removed beds are kept in the audit log "
        "(`unit.bed_level_ended`). A unit without beds is left as it is (200, nothing "
        "removed)."
    ),
    responses=problem_responses(401, 403, 404) | {200: json_example(examples.BED_LEVEL_ENDED)},
)
async def end_bed_level(unit_id: str, session: SessionDep, admin: AdminDep) -> BedLevelEnded:
    return await service.end_bed_level(session, admin, unit_id)
