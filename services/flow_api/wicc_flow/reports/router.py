"""Reports over the discharge-ready list."""

from __future__ import annotations

import datetime as dt
from typing import Annotated

from fastapi import APIRouter, Query

from wicc_flow.patients import examples
from wicc_flow.patients.delay_reasons import Scheme
from wicc_flow.patients.lost_bed_days import Split
from wicc_flow.reports import service
from wicc_flow.reports.schemas import LostBedDaysReport
from wicc_flow.state import FlowStateDep
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import json_example, problem_responses

router = APIRouter(prefix="/v1/reports", tags=["reports"])


@router.get(
    "/lost-bed-days",
    response_model=LostBedDaysReport,
    summary="Lost bed days of a system over a period, split by org, reason, pathway, ...",
    description=(
        "The bed days between each patient's discharge ready date and their discharge "
        "(or withdrawal, or today: today is not counted until it is over), counted per "
        "calendar day in the system's time zone, inside the period `from`..`to` (both "
        "included: the period cuts a stay, and two periods split its days exactly). "
        "Each day counts once, under the earliest-started delay open that day "
        "(`none_recorded` when none). `by`: `org`, `reason`, `pathway`, `locality` "
        "(destination) or `responsible`; `reasons`: group by the `nctr` or the `dtoc` "
        "list. The rule and worked examples: docs/patient-flow.md. At most 366 days. "
        "Counts only: any key."
    ),
    responses=problem_responses(401, 422) | {200: json_example(examples.LOST_BED_DAYS)},
)
async def lost_bed_days(
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
    system: Annotated[str, Query(max_length=40, description="Care system code")],
    first: Annotated[dt.date, Query(alias="from", description="First day (included)")],
    last: Annotated[dt.date, Query(alias="to", description="Last day (included)")],
    by: Annotated[Split, Query(description="How to split")] = Split.org,
    reasons: Annotated[Scheme, Query(description="Reason list for `by=reason`")] = Scheme.nctr,
) -> LostBedDaysReport:
    return await service.lost_bed_days(
        session, system, first, last, by, reasons, state.patients, now=clock()
    )
