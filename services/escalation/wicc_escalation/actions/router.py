"""HTTP routes for actions (thin: parse, authorise, call the service)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query

from wicc_escalation import examples
from wicc_escalation.actions import service
from wicc_escalation.actions.repository import ActionFilter
from wicc_escalation.actions.schemas import ActionRead, Completion, StatusFilter
from wicc_escalation.opel.actions import OPEN
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import json_example, page_example, problem_responses
from wicc_shared.pagination import Page, PageDep

router = APIRouter(prefix="/v1/actions", tags=["actions"])

_WHO = (
    " Allowed for a writing key (not `viewer`) scoped to the declaring organisation, to "
    "the system, or to the action's owner (the named organisation, or an organisation of "
    "the owning kind in the same system); admin keys always."
)


@router.get(
    "",
    response_model=Page[ActionRead],
    summary="Actions issued by declared OPEL levels",
    description=(
        "Newest first. `org` gives one organisation's actions (its declarations), `system` "
        "every action in a care system (its own and its organisations'). `status=open` is "
        "issued or acknowledged. `overdue=true` gives the actions still not acknowledged "
        "at their due time. Each action shows `overdue` and `due_in_seconds` as of now."
    ),
    responses=problem_responses(401, 422) | {200: json_example(page_example(examples.ACTION))},
)
async def list_actions(
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    page: PageDep,
    org: Annotated[str | None, Query(description="Declaring organisation (ODS code)")] = None,
    system: Annotated[str | None, Query(description="Care system code")] = None,
    status: Annotated[StatusFilter | None, Query(description="Only this status")] = None,
    overdue: Annotated[bool | None, Query(description="Only overdue actions")] = None,
) -> Page[ActionRead]:
    now = clock()
    statuses = None
    if status is StatusFilter.open:
        statuses = frozenset(s.value for s in OPEN)
    elif status is not None:
        statuses = frozenset({status.value})
    where = ActionFilter(
        org=org, system=system, statuses=statuses, overdue_at=now if overdue else None
    )
    return await service.list_actions(session, where, page, now)


@router.post(
    "/{action_id}/acknowledge",
    response_model=ActionRead,
    summary="Acknowledge an action: someone has it in hand",
    description=(
        "An issued action becomes `acknowledged` (an overdue one too: it stops showing as "
        "overdue). Acknowledging it again changes nothing (200), so a retry is safe. A "
        "completed or superseded action gets 409 `action-closed`." + _WHO
    ),
    responses=problem_responses(401, 403, 404, 409, 422)
    | {200: json_example(examples.ACKNOWLEDGED_ACTION)},
)
async def acknowledge(
    action_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> ActionRead:
    return await service.acknowledge(session, principal, action_id, clock())


@router.post(
    "/{action_id}/complete",
    response_model=ActionRead,
    summary="Complete an action, with a note of what was done",
    description=(
        "An issued or acknowledged action becomes `completed`, with the `note` (kept in "
        "the API and the audit log; never sent in events, which reach shared screens). "
        "Completing it again changes nothing (200, the first note stands). A superseded "
        "action gets 409 `action-closed`." + _WHO
    ),
    responses=problem_responses(401, 403, 404, 409, 422)
    | {200: json_example(examples.COMPLETED_ACTION)},
)
async def complete(
    action_id: uuid.UUID,
    body: Completion,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
) -> ActionRead:
    return await service.complete(session, principal, action_id, body, clock())
