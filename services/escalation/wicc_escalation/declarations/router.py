"""HTTP routes for declared OPEL levels (thin: parse, authorise, call the service)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from wicc_escalation import examples
from wicc_escalation.declarations import service
from wicc_escalation.declarations.schemas import (
    DeclarationCreate,
    DeclarationRead,
    DeclarationResult,
)
from wicc_escalation.state import OpelSetupDep
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.idempotency import IdempotencyDep, Outcome
from wicc_shared.openapi import json_example, page_example, problem_responses
from wicc_shared.pagination import Page, PageDep
from wicc_shared.timestamps import ClientTime

router = APIRouter(prefix="/v1", tags=["OPEL declarations"])

From = Annotated[ClientTime | None, Query(alias="from", description="From (inclusive)")]
To = Annotated[ClientTime | None, Query(alias="to", description="Before this moment")]
_WHAT_HAPPENS = (
    " The declaration is kept with who and when (`GET` the same path for the history); the "
    "`reason` stays in the API and the audit log and never goes into events. Stepping up "
    "from level P to L issues the action cards of every level above P up to L; stepping "
    "down closes the open actions above the new level as superseded; the same level again "
    "issues nothing. When the declared level differs from the calculated one for the "
    "configured time (60 min by default), `opel.diverged` is sent, once per episode. Send "
    "an `Idempotency-Key` to make a retry safe: the same key and body within 24 hours "
    "returns the original response (with `Idempotent-Replayed: true`) and declares nothing "
    "again."
)


@router.post(
    "/orgs/{ods}/declarations",
    status_code=201,
    response_model=DeclarationResult,
    summary="Declare an organisation's OPEL level",
    description=(
        "By a `coordinator` whose scope covers the organisation, or the organisation's own "
        "key (any writing role scoped to it), or an admin: 403 for any other key, always "
        "for `viewer`." + _WHAT_HAPPENS
    ),
    responses=problem_responses(401, 403, 404, 422)
    | {201: json_example(examples.DECLARATION_RESULT)},
)
async def declare_for_org(
    ods: str,
    body: DeclarationCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    idempotency: IdempotencyDep,
    setup: OpelSetupDep,
) -> Response:
    now = clock()

    async def write() -> Outcome:
        result = await service.declare_for_org(session, setup, principal, ods, body, now)
        return Outcome.of(result, 201)

    return await idempotency.run(session, principal, now=now, write=write)


@router.get(
    "/orgs/{ods}/declarations",
    response_model=Page[DeclarationRead],
    summary="An organisation's declared levels, who declared them and why",
    description="Newest first; `from` and `to` bound `declared_at` (`to` excluded).",
    responses=problem_responses(401, 404, 422)
    | {200: json_example(page_example(examples.DECLARATION))},
)
async def org_declarations(
    ods: str,
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    page: PageDep,
    setup: OpelSetupDep,
    since: From = None,
    until: To = None,
) -> Page[DeclarationRead]:
    return await service.org_history(session, setup, ods, (since, until), page, clock())


@router.post(
    "/systems/{code}/declarations",
    status_code=201,
    response_model=DeclarationResult,
    summary="Declare a care system's OPEL level",
    description=(
        "By a `coordinator` scoped to the system, or an admin: 403 for any other key. The "
        "system's action cards (`system` kind) are issued." + _WHAT_HAPPENS
    ),
    responses=problem_responses(401, 403, 404, 422)
    | {
        201: json_example(
            examples.DECLARATION_RESULT | {"about": "system", "org": None, "actions_issued": []}
        )
    },
)
async def declare_for_system(
    code: str,
    body: DeclarationCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    idempotency: IdempotencyDep,
    setup: OpelSetupDep,
) -> Response:
    now = clock()

    async def write() -> Outcome:
        result = await service.declare_for_system(session, setup, principal, code, body, now)
        return Outcome.of(result, 201)

    return await idempotency.run(session, principal, now=now, write=write)


@router.get(
    "/systems/{code}/declarations",
    response_model=Page[DeclarationRead],
    summary="A care system's declared levels, who declared them and why",
    description="Newest first; `from` and `to` bound `declared_at` (`to` excluded).",
    responses=problem_responses(401, 404, 422)
    | {200: json_example(page_example(examples.DECLARATION | {"about": "system", "org": None}))},
)
async def system_declarations(
    code: str,
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    page: PageDep,
    setup: OpelSetupDep,
    since: From = None,
    until: To = None,
) -> Page[DeclarationRead]:
    return await service.system_history(session, setup, code, (since, until), page, clock())
