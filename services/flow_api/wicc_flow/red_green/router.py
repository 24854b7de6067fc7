"""HTTP routes of red and green days (thin: parse, authorise, call the service)."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Response

from wicc_flow.patients import examples
from wicc_flow.red_green import service
from wicc_flow.red_green.schemas import DayRead, DayRecord, RedGreenPage
from wicc_flow.state import FlowStateDep
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import json_example, page_example, problem_responses
from wicc_shared.pagination import Page, PageDep

router = APIRouter(prefix="/v1", tags=["red and green days"])


@router.put(
    "/patients/{patient_id}/days/{date}",
    response_model=DayRead,
    summary="Mark a patient's day red or green",
    description=(
        "One colour per patient per day: recording again replaces it (the audit log "
        "keeps the earlier one); the same colour, reason and `recorded_by` again changes "
        "nothing. 201 for a day's first colour, 200 after. A red day needs a `reason` "
        "(`internal`: the ward can act today; `external`: waiting on something outside "
        "the hospital); a green day has none. The date may not be in the future, before "
        "the admission's day, or after the day the record closed. Keys with a write role "
        "whose scope covers the trust; a record another key cannot read is 404."
    ),
    responses=problem_responses(401, 403, 404, 422)
    | {200: json_example(examples.DAY), 201: {"model": DayRead, **json_example(examples.DAY)}},
)
async def record_day(
    patient_id: uuid.UUID,
    date: dt.date,
    body: DayRecord,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
) -> DayRead:
    recorded = await service.record_day(
        session, principal, patient_id, date, body, state.patients, now=clock()
    )
    response.status_code = 201 if recorded.created else 200
    return recorded.read


@router.get(
    "/patients/{patient_id}/days",
    response_model=Page[DayRead],
    summary="A patient's red and green days, newest first",
    responses=problem_responses(401, 403, 404, 422)
    | {200: json_example(page_example(examples.DAY))},
)
async def patient_days(
    patient_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[DayRead]:
    return await service.list_days(session, principal, patient_id, page)


@router.get(
    "/red-green",
    response_model=RedGreenPage,
    summary="Each ward's share of green days on a date",
    description=(
        "For every ward (or the one asked for) with discharge-ready patients in hospital "
        "on `date`: how many had a green day, a red day (by reason, internal and "
        "external), or none recorded. A day nobody marked is `not_recorded`, never "
        "assumed green: `green_pct` is green over all the ward's patients. Counts only: "
        "any key, `viewer` included."
    ),
    responses=problem_responses(401, 422) | {200: json_example(examples.RED_GREEN)},
)
async def red_green(
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    page: PageDep,
    date: Annotated[dt.date, Query(description="The day (in the system's time zone)")],
    unit_id: Annotated[str | None, Query(max_length=60, description="One ward")] = None,
    org: Annotated[str | None, Query(max_length=20, description="One trust's wards")] = None,
) -> RedGreenPage:
    return await service.ward_days(session, date, org=org, unit_id=unit_id, page=page, now=clock())
