"""HTTP routes for the daily sitrep (thin: parse, authorise, call the service)."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Query, Request
from fastapi.responses import Response

from wicc_capacity import examples
from wicc_capacity.sitreps import csv_import, service
from wicc_capacity.sitreps.schemas import (
    BulkResult,
    ReportingStatus,
    SitrepAmendment,
    SitrepRead,
    SitrepStatusPage,
    SitrepSubmission,
    SitrepVersionRead,
)
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.idempotency import IdempotencyDep, Outcome
from wicc_shared.openapi import body_limit, json_example, problem_responses
from wicc_shared.pagination import Page, PageDep
from wicc_shared.timestamps import ClientDate

router = APIRouter(prefix="/v1/sitreps", tags=["sitreps"])

_REPLAY_NOTE = (
    " Send an `Idempotency-Key` header to make a retry safe: the same key and body within "
    "24 hours returns the original response (with `Idempotent-Replayed: true`)."
)
_SUBMITTED: dict[int | str, dict[str, Any]] = {
    201: json_example(examples.SITREP),
    200: {
        "model": SitrepRead,
        **json_example(examples.SITREP, "Identical to the recorded figures: nothing changed"),
    },
}


def _bulk_problems() -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(401, 413, 415, 422) | {200: json_example(examples.BULK_RESULT)}
    responses[413]["description"] = "Too many rows or bytes (`payload-too-large`)"
    responses[415]["description"] = "Not sent as text/csv (`unsupported-media-type`)"
    return responses


@router.post(
    "",
    status_code=201,
    response_model=SitrepRead,
    summary="Submit an organisation's sitrep for a date",
    description=(
        "One sitrep per organisation and date (the date is a Europe/London calendar day; "
        "the figures describe 08:00 that day). Adult critical care is the `adult_cc` bed "
        "area. Rules beyond each field's range: occupied ≤ open per area for core and "
        "escalation beds; `los_21_plus` ≤ `los_14_plus` ≤ `los_7_plus` ≤ occupied beds; "
        "`nctr_patients` ≤ occupied beds; each bed area once; the date neither in the "
        "future nor older than 14 days. An unknown `org` is a 422 naming `org`. "
        "Resending the figures already recorded returns 200 and changes nothing; different "
        "figures for a recorded date get 409 `sitrep-exists`, which points at the amendment "
        "route." + _REPLAY_NOTE
    ),
    responses={**_SUBMITTED, **problem_responses(401, 403, 409, 422)},
)
async def submit_sitrep(
    body: SitrepSubmission,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    idempotency: IdempotencyDep,
) -> Response:
    now = clock()

    async def write() -> Outcome:
        result = await service.submit(session, principal, body, now=now)
        status = 201 if result.changed else 200
        return Outcome.of(result.read, status, {"Location": result.location})

    return await idempotency.run(session, principal, now=now, write=write)


@router.post(
    "/bulk",
    response_model=BulkResult,
    summary="Submit many sitreps from a CSV file",
    description=(
        "`Content-Type: text/csv` (UTF-8), one row per organisation and date, header row "
        "required. Columns: `org`, `date`, `los_7_plus`, `los_14_plus`, `los_21_plus`, "
        "`beds_closed_dv`, `nctr_patients`; for each bed area reported "
        "`<area>_core_open`, `<area>_core_occupied`, `<area>_escalation_open`, "
        "`<area>_escalation_occupied` (e.g. `adult_ga_core_open`); optionally the six ED "
        "columns. Each row is checked and stored like `POST /capacity/v1/sitreps`, on its "
        "own: valid rows are accepted even when others are rejected. The response lists "
        "accepted rows (with ids) and rejected rows (row number, the problem type the row "
        "would get alone, and the offending CSV columns); it is 200 whenever the file "
        f"itself could be read. At most {csv_import.MAX_ROWS} rows and "
        f"{csv_import.MAX_BYTES} bytes (413 `payload-too-large`). A bad header rejects the "
        "whole file (422)." + _REPLAY_NOTE
    ),
    responses=_bulk_problems(),
    openapi_extra=body_limit(csv_import.MAX_BYTES)
    | {
        "requestBody": {
            "required": True,
            "content": {
                csv_import.MEDIA_TYPE: {
                    "schema": {"type": "string"},
                    "example": csv_import.EXAMPLE,
                }
            },
        }
    },
)
async def submit_bulk(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    idempotency: IdempotencyDep,
) -> Response:
    now = clock()
    data = await csv_import.read_body(request)
    rows = csv_import.parse(data)

    async def write() -> Outcome:
        result = await csv_import.import_sitreps(session, principal, rows, now=now)
        return Outcome.of(result, 200)

    return await idempotency.run(session, principal, now=now, write=write, body=data)


@router.get(
    "/status",
    response_model=SitrepStatusPage,
    summary="Who has submitted their sitrep for a date",
    description=(
        "For each organisation of the care system that must report (active, with at "
        "least one active unit), and any other that did: `submitted` (by the deadline), "
        "`late` (after it), `missing` (not submitted and the deadline has passed) or "
        "`pending` (not submitted, deadline still to come). The deadline is the system's "
        "`sitrep_deadline` (default 11:00) in its time zone. `counts` cover all "
        "organisations, before `status` filtering and paging."
    ),
    responses=problem_responses(401, 422) | {200: json_example(examples.SITREP_STATUS)},
)
async def sitrep_status(
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    page: PageDep,
    system: Annotated[str, Query(description="Care system code", examples=["wiltshire"])],
    date: Annotated[
        ClientDate | None, Query(description="Sitrep date; default today in the system's zone")
    ] = None,
    status: Annotated[ReportingStatus | None, Query(description="Only this status")] = None,
) -> SitrepStatusPage:
    return await service.reporting_status(session, system, date, status, page, now=clock())


@router.get(
    "/{org}/{date}",
    response_model=SitrepRead,
    summary="An organisation's current sitrep for a date",
    responses=problem_responses(401, 404, 422) | {200: json_example(examples.SITREP)},
)
async def get_sitrep(
    org: str, date: ClientDate, session: SessionDep, _principal: PrincipalDep
) -> SitrepRead:
    return await service.get_current(session, org, date)


@router.put(
    "/{org}/{date}",
    response_model=SitrepRead,
    summary="Amend a sitrep (new version, with a reason)",
    description=(
        "Send the complete corrected figures and a `reason`. Every version is kept "
        "(see `/versions`). Accepted until the end of the 14th day after the sitrep date "
        "(Europe/London); after that 409 `amendment-window-closed`. Figures identical to "
        "the current version change nothing (200, same version). 404 if the sitrep was "
        "never submitted." + _REPLAY_NOTE
    ),
    responses=problem_responses(401, 403, 404, 409, 422)
    | {200: json_example(examples.AMENDED_SITREP)},
)
async def amend_sitrep(
    org: str,
    date: ClientDate,
    body: SitrepAmendment,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    idempotency: IdempotencyDep,
) -> Response:
    now = clock()

    async def write() -> Outcome:
        result = await service.amend(session, principal, org, date, body, now=now)
        return Outcome.of(result.read, 200)

    return await idempotency.run(session, principal, now=now, write=write)


@router.get(
    "/{org}/{date}/versions",
    response_model=Page[SitrepVersionRead],
    summary="Every version of a sitrep: who, when, why, figures",
    description="Oldest first. Version 1 is the submission (no reason); later ones amendments.",
    responses=problem_responses(401, 404, 422) | {200: json_example(examples.SITREP_VERSIONS)},
)
async def sitrep_versions(
    org: str, date: ClientDate, session: SessionDep, _principal: PrincipalDep, page: PageDep
) -> Page[SitrepVersionRead]:
    return await service.list_versions(session, org, date, page)
