"""HTTP routes of the discharge-ready list (thin: parse, authorise, call the service)."""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Header, Query, Request, Response

from wicc_flow.patients import examples, importing, service, views
from wicc_flow.patients.importing import ImportMode
from wicc_flow.patients.repository import PatientFilters
from wicc_flow.patients.schemas import (
    DischargeBody,
    ImportResult,
    PatientCreate,
    PatientPatch,
    PatientRead,
    WithdrawBody,
)
from wicc_flow.state import FlowStateDep
from wicc_shared.auth import PrincipalDep
from wicc_shared.catalogue.patients import PatientStatus
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.idempotency import IdempotencyDep, Outcome
from wicc_shared.openapi import json_example, page_example, problem_responses
from wicc_shared.pagination import Page, PageDep

router = APIRouter(prefix="/v1/patients", tags=["patients"])

_REPLAY = (
    " Send an `Idempotency-Key` header to make a retry safe: the same key and body within "
    "24 hours returns the original response (with `Idempotent-Replayed: true`)."
)
_WHO = (
    " Keys with a write role whose scope covers the trust; a record another key cannot "
    "read is 404, never its data."
)
_ETAG_HEADER = {
    "ETag": {"description": "The record's version, quoted", "schema": {"type": "string"}}
}


def _patch_problems() -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(401, 403, 404, 409, 412, 422, 428)
    responses[412]["description"] = "The record changed since it was read (`precondition-failed`)"
    responses[428]["description"] = "No If-Match sent (`precondition-required`)"
    return responses


def _written(result: service.Written, status: int = 200) -> Outcome:
    headers = {"ETag": result.etag, "Location": result.location}
    return Outcome.of(result.read, status, headers)


@router.post(
    "",
    status_code=201,
    response_model=PatientRead,
    summary="Add a patient to the discharge-ready list",
    description=(
        "A patient who no longer meets the criteria to reside. `nhs_number` is optional "
        "and checked (Modulus 11): a bad one is a 422 naming `nhs_number`, never quoting "
        "it. It is stored encrypted, with a blind index: a second open record of the "
        "same person in the trust, or a second record with the same `local_ref`, is "
        "409 `duplicate-patient` with `existing_id`. `unit_id` must be a unit of `org`, "
        "`destination_locality` a locality of its system; dates may not be in the future "
        "(but `expected_discharge_date`) nor before admission; delay reasons come from "
        "the delay-reason list (`GET /flow/v1/delay-reasons`)." + _WHO + _REPLAY
    ),
    responses=problem_responses(401, 403, 409, 422)
    | {201: {**json_example(examples.PATIENT), "headers": _ETAG_HEADER}},
)
async def create_patient(
    body: PatientCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
    idempotency: IdempotencyDep,
) -> Response:
    now = clock()

    async def write() -> Outcome:
        return _written(
            await service.create(session, principal, body, state.patients, now=now), 201
        )

    return await idempotency.run(session, principal, now=now, write=write)


@router.get(
    "",
    response_model=Page[PatientRead],
    summary="The discharge-ready list, filtered and paged",
    description=(
        "Ordered by discharge ready date. Organisation-scoped keys see their own trust's "
        "records, system-scoped keys their system's; `coordinator` and `admin` keys see "
        "all; `viewer` keys none (403: they see aggregates). `reason` matches a delay of "
        "that code at any time (a national code also matches its local sub-codes); "
        "`min_delay_days` keeps records at least that many days past their discharge "
        "ready date (to today, or to the day they closed). Each record holding an NHS "
        "number that a page shows is audited."
    ),
    responses=problem_responses(401, 403, 422)
    | {200: json_example(page_example(examples.PATIENT))},
)
async def list_patients(
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
    page: PageDep,
    org: Annotated[str | None, Query(max_length=20, description="Trust ODS code")] = None,
    unit_id: Annotated[str | None, Query(max_length=60)] = None,
    pathway: Annotated[int | None, Query(ge=0, le=3)] = None,
    locality: Annotated[str | None, Query(max_length=60, description="Destination")] = None,
    reason: Annotated[str | None, Query(max_length=60, description="Delay reason code")] = None,
    min_delay_days: Annotated[int | None, Query(ge=0, le=3650)] = None,
    status: Annotated[PatientStatus | None, Query()] = None,
) -> Page[PatientRead]:
    filters = PatientFilters(
        org=org,
        unit_id=unit_id,
        pathway=pathway,
        locality=locality,
        reasons=None if reason is None else views.reason_codes(state.patients.reasons, reason),
        status=None if status is None else status.value,
        min_delay_days=min_delay_days,
    )
    return await views.list_patients(session, principal, filters, page, state.patients, now=clock())


@router.post(
    "/import",
    response_model=ImportResult,
    summary="Apply a trust's daily list from CSV (all or nothing)",
    description=(
        "`Content-Type: text/csv` (UTF-8), one row per patient (columns in "
        "docs/patient-flow.md). The whole file is checked first: any problem rejects it "
        "(422, each problem with its `line` and column as `field`) and nothing changes. "
        "`mode=upsert` creates or updates the records of the rows (by `local_ref`); "
        "`mode=snapshot` also closes the trust's open records absent from the file "
        "(recorded as discharged now, destination `not_recorded`). Rows identical to "
        "their record change nothing, so the same file twice changes nothing. At most "
        f"{importing.LIMITS.max_rows} rows and {importing.LIMITS.max_bytes} bytes (413)."
        + _WHO
        + _REPLAY
    ),
    responses=problem_responses(401, 403, 413, 415, 422)
    | {200: json_example(examples.IMPORT_RESULT)},
    openapi_extra={
        "requestBody": {
            "required": True,
            "content": {
                importing.MEDIA_TYPE: {"schema": {"type": "string"}, "example": examples.CSV}
            },
        }
    },
)
async def import_patients(
    request: Request,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
    idempotency: IdempotencyDep,
    org: Annotated[str, Query(max_length=20, description="The trust whose list this is")],
    mode: Annotated[ImportMode, Query(description="`upsert` or `snapshot`")] = ImportMode.upsert,
) -> Response:
    now = clock()
    data = await importing.read_body(request)

    async def write() -> Outcome:
        result = await importing.import_csv(
            session, principal, org, mode, data, state.patients, now=now
        )
        return Outcome.of(result, 200)

    return await idempotency.run(session, principal, now=now, write=write, body=data)


@router.get(
    "/{patient_id}",
    response_model=PatientRead,
    summary="One discharge-ready record, with its ETag",
    description=(
        "The `ETag` response header is what a PATCH sends back as `If-Match`. The NHS "
        "number is shown only to keys that may change the record; every read of a "
        "record holding one is audited." + _WHO
    ),
    responses=problem_responses(401, 403, 404, 422)
    | {200: {**json_example(examples.PATIENT), "headers": _ETAG_HEADER}},
)
async def get_patient(
    patient_id: uuid.UUID,
    response: Response,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
) -> PatientRead:
    read = await views.read(session, principal, patient_id, state.patients, now=clock())
    response.headers["ETag"] = f'"{read.version}"'
    return read


@router.patch(
    "/{patient_id}",
    response_model=PatientRead,
    summary="Change a record (If-Match required)",
    description=(
        "Send `If-Match` with the ETag of the version the change is based on: if someone "
        "changed the record since, 412 `precondition-failed` (read it again); without "
        "`If-Match`, 428 `precondition-required`. Fields left out keep their value; "
        "`delays` replaces the list; `null` clears `nhs_number` or "
        "`expected_discharge_date`. A change identical to the record changes nothing "
        "(same version)." + _WHO
    ),
    responses=_patch_problems()
    | {200: {**json_example(examples.PATIENT_PATCHED), "headers": _ETAG_HEADER}},
)
async def patch_patient(
    patient_id: uuid.UUID,
    body: PatientPatch,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
    if_match: Annotated[
        str | None,
        Header(alias="If-Match", max_length=200, description='The ETag read, e.g. `"3"`'),
    ] = None,
) -> Response:
    result = await service.update(
        session, principal, patient_id, body, if_match, state.patients, now=clock()
    )
    return _written(result).response()


@router.post(
    "/{patient_id}/discharge",
    response_model=PatientRead,
    summary="Record that a discharge-ready patient left hospital",
    description=(
        "`discharged_at` may not be in the future, before admission, or before the "
        "discharge ready date's day. Sending the same discharge again changes nothing "
        "(200); a record already discharged otherwise, or withdrawn, is 409 "
        "`patient-closed`." + _WHO + _REPLAY
    ),
    responses=problem_responses(401, 403, 404, 409, 422)
    | {200: {**json_example(examples.PATIENT_DISCHARGED), "headers": _ETAG_HEADER}},
)
async def discharge_patient(
    patient_id: uuid.UUID,
    body: DischargeBody,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
    idempotency: IdempotencyDep,
) -> Response:
    now = clock()

    async def write() -> Outcome:
        return _written(
            await service.discharge(session, principal, patient_id, body, state.patients, now=now)
        )

    return await idempotency.run(session, principal, now=now, write=write)


@router.post(
    "/{patient_id}/withdraw",
    response_model=PatientRead,
    summary="Take a patient off the list: no longer discharge ready",
    description=(
        "The patient met the criteria to reside again (`met_criteria_to_reside`), died, "
        "or was listed in error. Their lost bed days stop on the day withdrawn. The same "
        "withdrawal again changes nothing; a closed record otherwise is 409 "
        "`patient-closed`." + _WHO + _REPLAY
    ),
    responses=problem_responses(401, 403, 404, 409, 422)
    | {200: {**json_example(examples.PATIENT_WITHDRAWN), "headers": _ETAG_HEADER}},
)
async def withdraw_patient(
    patient_id: uuid.UUID,
    body: WithdrawBody,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
    idempotency: IdempotencyDep,
) -> Response:
    now = clock()

    async def write() -> Outcome:
        return _written(
            await service.withdraw(session, principal, patient_id, body, state.patients, now=now)
        )

    return await idempotency.run(session, principal, now=now, write=write)
