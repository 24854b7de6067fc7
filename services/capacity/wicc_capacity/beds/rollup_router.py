"""HTTP routes for bed roll-ups, a unit's history and bed-level status (thin)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query
from pydantic import AwareDatetime

from wicc_capacity.beds import bed_status, history, rollups
from wicc_capacity.beds.bed_status import (
    BED_ID_MAX,
    BED_ID_PATTERN,
    BedRead,
    BedStatusRead,
    BedStatusUpdate,
)
from wicc_capacity.beds.history import BedHistoryRead
from wicc_capacity.beds.rollups import (
    DEFAULT_STALE_AFTER_HOURS,
    MAX_STALE_AFTER_HOURS,
    BedRollups,
)
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import RuntimeDep, SessionDep
from wicc_shared.kernel.reference import BedArea
from wicc_shared.openapi import json_example, page_example, problem_responses
from wicc_shared.pagination import Page, PageDep

router = APIRouter(prefix="/v1", tags=["beds"])

_FIGURES_EXAMPLE: dict[str, Any] = {
    "core_open": 28,
    "escalation_open": 2,
    "open": 30,
    "occupied": 27,
    "available": 3,
    "occupancy_pct": 90.0,
    "closed": [{"reason": "infection_control", "count": 2}],
    "closed_total": 2,
}
_FRESHNESS_EXAMPLE: dict[str, Any] = {
    "oldest_as_of": "2026-11-22T08:00:00Z",
    "newest_as_of": "2026-11-22T09:30:00Z",
    "age_seconds": 7200.0,
    "stale": False,
}
_ROLLUP_EXAMPLE: dict[str, Any] = {
    "figures": _FIGURES_EXAMPLE,
    "units_total": 2,
    "units_reporting": 1,
    "units_not_reporting": ["RNZ-MED-B"],
    **_FRESHNESS_EXAMPLE,
}
ROLLUPS_EXAMPLE: dict[str, Any] = {
    "generated_at": "2026-11-22T10:00:00Z",
    "stale_after_hours": 24.0,
    "units": [
        {
            "unit_id": "RNZ-MED-A",
            "name": "Medical Ward A",
            "site": "RNZ02",
            "org": "RNZ",
            "system": "wiltshire",
            "bed_area": "adult_ga",
            "reporting": True,
            "figures": _FIGURES_EXAMPLE,
            "as_of": "2026-11-22T08:00:00Z",
            "age_seconds": 7200.0,
            "stale": False,
            "reported_by": "3f6c2a1e-0000-4000-8000-000000000001",
        },
        {
            "unit_id": "RNZ-MED-B",
            "name": "Medical Ward B",
            "site": "RNZ02",
            "org": "RNZ",
            "system": "wiltshire",
            "bed_area": "adult_ga",
            "reporting": False,
            "figures": None,
            "as_of": None,
            "age_seconds": None,
            "stale": False,
            "reported_by": None,
        },
    ],
    "sites": [
        {
            "site": "RNZ02",
            "name": "Salisbury District Hospital",
            "org": "RNZ",
            "system": "wiltshire",
            **_ROLLUP_EXAMPLE,
        }
    ],
    "areas": [
        {
            "org": "RNZ",
            "bed_area": "adult_ga",
            "system": "wiltshire",
            "source": "units",
            **_ROLLUP_EXAMPLE,
        }
    ],
    "organisations": [
        {
            "org": "RNZ",
            "name": "Salisbury NHS Foundation Trust",
            "system": "wiltshire",
            **_ROLLUP_EXAMPLE,
        }
    ],
    "systems": [{"system": "wiltshire", "name": "Wiltshire system", **_ROLLUP_EXAMPLE}],
}


_BED_EXAMPLE: dict[str, Any] = {
    "unit_id": "RNZ-MED-A",
    "bed_id": "B12",
    "status": "O",
    "escalation": False,
    "as_of": "2026-11-22T08:00:00Z",
    "age_seconds": 0.3,
    "reported_by": "3f6c2a1e-0000-4000-8000-000000000001",
    "updated_at": "2026-11-22T08:00:00.301551Z",
}
_BED_STATUS_EXAMPLE: dict[str, Any] = {
    "bed": _BED_EXAMPLE,
    "unit": {
        "unit_id": "RNZ-MED-A",
        "org": "RNZ",
        "site": "RNZ02",
        "bed_area": "adult_ga",
        "core_open": 26,
        "escalation_open": 1,
        "open": 27,
        "occupied": 25,
        "available": 2,
        "occupancy_pct": 92.6,
        "closed": [{"reason": "infection_control", "count": 1}],
        "closed_total": 1,
        "as_of": "2026-11-22T08:00:00Z",
        "age_seconds": 0.3,
        "reported_by": "3f6c2a1e-0000-4000-8000-000000000001",
        "updated_at": "2026-11-22T08:00:00.301551Z",
        "version": 41,
    },
    "beds_by_status": {"C": 0, "H": 1, "I": 1, "K": 0, "O": 24, "U": 2},
}


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
    responses=problem_responses(401, 404, 422) | {200: json_example(ROLLUPS_EXAMPLE)},
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
    return await rollups.bed_rollups(
        session,
        org=org,
        system=system,
        bed_area=bed_area.value if bed_area else None,
        now=clock(),
        stale_after_hours=stale_after_hours,
    )


@router.get(
    "/units/{unit_id}/beds/history",
    response_model=Page[BedHistoryRead],
    summary="A unit's accepted bed reports, newest first",
    description=(
        "Every accepted report for the unit, ordered by `as_of` descending (newest first; "
        "ties by the order accepted, latest first). `from` and `to` are inclusive bounds on "
        "`as_of` and need a UTC offset. For a unit that reports bed by bed, each accepted "
        "bed change adds a row with the recounted unit figures."
    ),
    responses=problem_responses(401, 404, 422)
    | {
        200: json_example(
            {
                "items": [
                    {
                        "unit_id": "RNZ-AMU",
                        "core_open": 28,
                        "escalation_open": 2,
                        "open": 30,
                        "occupied": 27,
                        "available": 3,
                        "occupancy_pct": 90.0,
                        "closed": [{"reason": "staffing", "count": 1}],
                        "closed_total": 1,
                        "as_of": "2026-11-22T08:00:00Z",
                        "age_seconds": 3600.0,
                        "reported_by": "3f6c2a1e-0000-4000-8000-000000000001",
                        "recorded_at": "2026-11-22T08:02:11Z",
                    }
                ],
                "total": 1,
                "limit": 100,
                "offset": 0,
            }
        )
    },
)
async def get_bed_history(
    unit_id: str,
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    page: PageDep,
    start: Annotated[
        AwareDatetime | None,
        Query(alias="from", description="Only reports with as_of at or after this moment"),
    ] = None,
    end: Annotated[
        AwareDatetime | None,
        Query(alias="to", description="Only reports with as_of at or before this moment"),
    ] = None,
) -> Page[BedHistoryRead]:
    return await history.unit_history(
        session, unit_id, start=start, end=end, page=page, now=clock()
    )


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
    "/units/{unit_id}/bed-status/{bed_id}",
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
    responses=problem_responses(401, 403, 404, 409, 422) | {200: json_example(_BED_STATUS_EXAMPLE)},
)
async def put_bed_status(
    unit_id: str,
    bed_id: BedIdPath,
    body: BedStatusUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    clock: ClockDep,
) -> BedStatusRead:
    skew = timedelta(seconds=runtime.settings.max_clock_skew_seconds)
    return await bed_status.update_bed_status(
        session, principal, unit_id, bed_id, body, now=clock(), max_skew=skew
    )


@router.get(
    "/units/{unit_id}/bed-status",
    response_model=Page[BedRead],
    summary="A unit's beds and their current status",
    description="Beds reported bed by bed, ordered by `bed_id`; empty for a unit-level unit.",
    responses=problem_responses(401, 404, 422) | {200: json_example(page_example(_BED_EXAMPLE))},
)
async def list_bed_status(
    unit_id: str, session: SessionDep, _principal: PrincipalDep, clock: ClockDep, page: PageDep
) -> Page[BedRead]:
    return await bed_status.list_beds(session, unit_id, page, clock())
