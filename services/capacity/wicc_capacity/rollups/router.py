"""HTTP routes for bed roll-ups (thin: parse, call the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from wicc_capacity import examples
from wicc_capacity.rollups import service
from wicc_capacity.rollups.schemas import BedRollups
from wicc_capacity.rollups.service import DEFAULT_STALE_AFTER_HOURS, MAX_STALE_AFTER_HOURS
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.kernel.reference import BedArea
from wicc_shared.openapi import json_example, problem_responses

router = APIRouter(prefix="/v1", tags=["beds"])


@router.get(
    "/beds",
    response_model=BedRollups,
    summary="Current bed figures and roll-ups by site, organisation and system",
    description=(
        "Every active unit in scope with its current figure, and sums by site, by "
        "organisation x bed area, by organisation and by care system. Filters narrow the "
        "scope; roll-ups cover only what is in scope.\n\n"
        "- A unit that never reported is `reporting: false` with `figures: null` and is "
        "listed in `units_not_reporting`; it adds no beds.\n"
        "- An organisation's bed area is counted from its units when any of them has "
        'reported, otherwise from the organisation\'s sitrep (`source: "sitrep"`), never both.\n'
        "- Each roll-up equals the sum of its parts: sites sum units, organisations sum "
        "their areas, systems sum organisations.\n"
        "- `oldest_as_of`/`age_seconds` give the oldest figure counted; `stale` is true when "
        f"it is older than `stale_after_hours` (default {DEFAULT_STALE_AFTER_HOURS:g}). "
        "Stale figures still count."
    ),
    responses=problem_responses(401, 404, 422) | {200: json_example(examples.ROLLUPS)},
)
async def get_bed_rollups(
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    org: Annotated[str | None, Query(description="Organisation ODS code")] = None,
    system: Annotated[str | None, Query(description="Care system code")] = None,
    bed_area: Annotated[BedArea | None, Query(description="Only this bed area")] = None,
    stale_after_hours: Annotated[
        float,
        Query(
            gt=0,
            le=MAX_STALE_AFTER_HOURS,
            description="Flag figures older than this many hours as stale",
        ),
    ] = DEFAULT_STALE_AFTER_HOURS,
) -> BedRollups:
    return await service.bed_rollups(
        session,
        org=org,
        system=system,
        bed_area=bed_area.value if bed_area else None,
        now=clock(),
        stale_after_hours=stale_after_hours,
    )
