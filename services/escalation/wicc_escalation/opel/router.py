"""HTTP routes for calculated OPEL (thin: parse, call the service). Reads: any key."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from wicc_escalation import examples
from wicc_escalation.opel import service
from wicc_escalation.opel.models import ORGANISATION, SYSTEM
from wicc_escalation.opel.schemas import (
    OpelHistoryEntry,
    OrgOpelRead,
    SystemOpelRead,
    WhatIf,
    WhatIfRead,
)
from wicc_escalation.state import OpelSetupDep
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import json_example, page_example, problem_responses
from wicc_shared.pagination import Page, PageDep
from wicc_shared.timestamps import ClientTime

router = APIRouter(prefix="/v1", tags=["OPEL"])

From = Annotated[ClientTime | None, Query(alias="from", description="From this moment (inclusive)")]
To = Annotated[ClientTime | None, Query(alias="to", description="Before this moment")]
_NOT_CONFIGURED = (
    " 404 `not-found` for an unknown code; 404 `opel-not-configured` when OPEL does not "
    "score it (an organisation in no pillar of its system's file, a system with no file)."
)


@router.get(
    "/orgs/{ods}/opel",
    response_model=OrgOpelRead,
    summary="An organisation's calculated OPEL, explained",
    description=(
        "The calculated level (`level`: settled, so it does not flap) beside the raw level "
        "the latest score gives, the score, and every parameter's value, band, points, "
        "status, `as_of`, age and source event; the parameter set used (`framework`) and "
        "its `notice`; the declared level and any divergence. Recomputed whenever an input "
        "arrives, and when an input turns stale or a pending level settles. A missing, "
        "stale or invalid input is left out and named: the score is then `partial`, a "
        "floor, with `level_range` up to what the left-out inputs could give. With no "
        "usable input at all `level` is null." + _NOT_CONFIGURED
    ),
    responses=problem_responses(401, 404) | {200: json_example(examples.ORG_OPEL)},
)
async def org_opel(
    ods: str, session: SessionDep, _principal: PrincipalDep, clock: ClockDep, setup: OpelSetupDep
) -> OrgOpelRead:
    return await service.org_opel(session, setup, ods, clock())


@router.get(
    "/orgs/{ods}/opel/history",
    response_model=Page[OpelHistoryEntry],
    summary="An organisation's calculated OPEL over time",
    description=(
        "Every calculation that changed something (a value, a status, the level), newest "
        "first, with each parameter's value, band and points. `from` and `to` bound "
        "`computed_at` (`to` excluded); times need a UTC offset." + _NOT_CONFIGURED
    ),
    responses=problem_responses(401, 404, 422)
    | {200: json_example(page_example(examples.HISTORY_ENTRY))},
)
async def org_history(
    ods: str,
    session: SessionDep,
    _principal: PrincipalDep,
    page: PageDep,
    setup: OpelSetupDep,
    since: From = None,
    until: To = None,
) -> Page[OpelHistoryEntry]:
    return await service.history(session, setup, (ORGANISATION, ods), (since, until), page)


@router.post(
    "/orgs/{ods}/opel/what-if",
    response_model=WhatIfRead,
    summary="The score and level some input values would give (changes nothing)",
    description=(
        "Give parameter keys and values in `overrides`; the other inputs stay as they are "
        "now. An overridden value counts as current. The answer is the score and raw level "
        "those inputs give (damping does not apply to a what-if), with `current` (what the "
        "inputs give now) for comparison. Nothing is stored and no event is sent: any key "
        "may ask, and asking twice is harmless. An unknown parameter key is a 422 naming "
        "`overrides.<key>`." + _NOT_CONFIGURED
    ),
    responses=problem_responses(401, 404, 422) | {200: json_example(examples.WHAT_IF)},
)
async def what_if(
    ods: str,
    body: WhatIf,
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    setup: OpelSetupDep,
) -> WhatIfRead:
    return await service.what_if(session, setup, ods, body, clock())


@router.get(
    "/systems/{code}/opel",
    response_model=SystemOpelRead,
    summary="A care system's calculated OPEL, with every contribution",
    description=(
        "Each pillar is the weighted mean of its organisations' 0-100 scores (the acute "
        "pillar weighted by core adult G&A beds by default), the system the mean of its "
        "pillars, as the system's file says. Every organisation's and pillar's weight, "
        "share, score and level is shown; one without usable input is `excluded` "
        "(`no_data`) and makes the result `partial`. Settled and raw levels as for an "
        "organisation." + _NOT_CONFIGURED
    ),
    responses=problem_responses(401, 404) | {200: json_example(examples.SYSTEM_OPEL)},
)
async def system_opel(
    code: str, session: SessionDep, _principal: PrincipalDep, clock: ClockDep, setup: OpelSetupDep
) -> SystemOpelRead:
    return await service.system_opel(session, setup, code, clock())


@router.get(
    "/systems/{code}/opel/history",
    response_model=Page[OpelHistoryEntry],
    summary="A care system's calculated OPEL over time",
    description="As for an organisation; `parameters` is empty for a system." + _NOT_CONFIGURED,
    responses=problem_responses(401, 404, 422)
    | {200: json_example(page_example(examples.HISTORY_ENTRY | {"parameters": []}))},
)
async def system_history(
    code: str,
    session: SessionDep,
    _principal: PrincipalDep,
    page: PageDep,
    setup: OpelSetupDep,
    since: From = None,
    until: To = None,
) -> Page[OpelHistoryEntry]:
    return await service.history(session, setup, (SYSTEM, code), (since, until), page)
