"""HTTP routes of webhook endpoints (thin: parse, authorise, call the service)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Response, status
from fastapi.responses import JSONResponse

from wicc_flow.state import FlowStateDep
from wicc_flow.webhooks import examples
from wicc_flow.webhooks.endpoints import service
from wicc_flow.webhooks.endpoints.schemas import (
    EndpointCreate,
    EndpointCreated,
    EndpointRead,
    EndpointUpdate,
    PingRequested,
    SecretRotated,
)
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.idempotency import IdempotencyDep, Outcome
from wicc_shared.openapi import json_example, problem_responses
from wicc_shared.pagination import Page, PageDep

PATH = "/v1/webhooks/endpoints"
router = APIRouter(prefix=PATH, tags=["webhooks"])

_WHO = (
    " Admin keys manage every endpoint; an `integration` key only those of its own "
    "organisation (or care system), and others' are not found (404). Other roles: 403."
)


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=EndpointCreated,
    summary="Create a webhook endpoint (its signing secret is shown only once)",
    description=(
        "`url` is checked at once and before every delivery: `https` in production, and "
        "its host (and every address it resolves to) a public address; a name that does "
        "not resolve is refused. `event_types` are catalogue names, `prefix.*` or `*`. "
        "`org` or `system` narrow it to events about one organisation or care system. "
        "The endpoint receives only events its owner (the creating key's scope) may read: "
        "an organisation's own events and its care system's, never another "
        "organisation's. The response holds the signing secret (`whsec_...`), once: WICC "
        "keeps it encrypted and never shows it again. Send an `Idempotency-Key` to make a "
        "retry safe; the retry's response has `secret` null." + _WHO
    ),
    responses=problem_responses(401, 403, 422) | {201: json_example(examples.ENDPOINT_CREATED)},
)
async def create_endpoint(
    body: EndpointCreate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    idempotency: IdempotencyDep,
    state: FlowStateDep,
) -> Response:
    now = clock()
    issued: list[service.Created] = []

    async def write() -> Outcome:
        created = await service.create(session, principal, body, state.webhooks.config, now=now)
        issued.append(created)
        # Stored for retries without the secret: it is never kept in the clear.
        kept = EndpointCreated(**created.read.model_dump(), secret=None)
        return Outcome.of(kept, 201, {"Location": _location(created.read.id)})

    response = await idempotency.run(session, principal, now=now, write=write)
    if not issued:  # a retry answered from the stored response
        return response
    created = issued[0]
    shown = EndpointCreated(**created.read.model_dump(), secret=created.secret.reveal())
    return JSONResponse(
        shown.model_dump(mode="json"), status_code=201, headers={"Location": _location(shown.id)}
    )


def _location(endpoint_id: uuid.UUID) -> str:
    return f"/flow{PATH}/{endpoint_id}"


@router.get(
    "",
    response_model=Page[EndpointRead],
    summary="List the webhook endpoints this key manages (never their secrets)",
    description="Newest first." + _WHO,
    responses=problem_responses(401, 403, 422) | {200: json_example(examples.ENDPOINTS)},
)
async def list_endpoints(
    session: SessionDep, principal: PrincipalDep, page: PageDep
) -> Page[EndpointRead]:
    return await service.list_for(session, principal, page)


@router.get(
    "/{endpoint_id}",
    response_model=EndpointRead,
    summary="A webhook endpoint",
    description="Its subscription, owner and health (disabled, failing since). Never its secret.",
    responses=problem_responses(401, 403, 404, 422) | {200: json_example(examples.ENDPOINT)},
)
async def get_endpoint(
    endpoint_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> EndpointRead:
    return await service.get(session, principal, endpoint_id)


@router.patch(
    "/{endpoint_id}",
    response_model=EndpointRead,
    summary="Change a webhook endpoint, or enable or disable it",
    description=(
        "Only the fields sent change, with the same checks as at creation. `enabled: false` "
        "stops callbacks (waiting deliveries fail; a `webhook_endpoint.disabled` event is "
        "recorded); `enabled: true` starts afresh (the failure run and any pause are "
        "cleared): replay what it missed." + _WHO
    ),
    responses=problem_responses(401, 403, 404, 422)
    | {200: json_example(examples.DISABLED_ENDPOINT)},
)
async def update_endpoint(
    endpoint_id: uuid.UUID,
    body: EndpointUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
) -> EndpointRead:
    return await service.update(
        session, principal, endpoint_id, body, state.webhooks.config, now=clock()
    )


@router.delete(
    "/{endpoint_id}",
    status_code=status.HTTP_204_NO_CONTENT,
    summary="Delete a webhook endpoint and its delivery log",
    description="Nothing more is sent to it. The deletion is audited." + _WHO,
    responses=problem_responses(401, 403, 404, 422),
)
async def delete_endpoint(
    endpoint_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> Response:
    await service.delete(session, principal, endpoint_id)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/{endpoint_id}/rotate-secret",
    response_model=SecretRotated,
    summary="Issue a new signing secret; the old one keeps signing for the overlap",
    description=(
        "The new secret is shown once. Until `previous_secret_until` (the rotation "
        "overlap, 24 hours unless configured otherwise) every callback carries two "
        "signatures, one per secret, so the receiver can switch at any time within it. "
        "Rotating again during an overlap retires the oldest secret at once." + _WHO
    ),
    responses=problem_responses(401, 403, 404, 422) | {200: json_example(examples.SECRET_ROTATED)},
)
async def rotate_secret(
    endpoint_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
) -> SecretRotated:
    return await service.rotate_secret(
        session, principal, endpoint_id, state.webhooks.config, now=clock()
    )


@router.post(
    "/{endpoint_id}/test",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=PingRequested,
    summary="Send the endpoint a test callback (a `webhook.tested` event)",
    description=(
        "Records a `webhook.tested` event, which goes the way every event goes (the event "
        "log, the dispatcher, signing) to this endpoint alone, whatever it subscribes to. "
        "Its `webhook-id` is the `event_id` returned; follow it in the delivery log. "
        "409 `endpoint-disabled` for a disabled endpoint." + _WHO
    ),
    responses=problem_responses(401, 403, 404, 409, 422) | {202: json_example(examples.PING)},
)
async def test_endpoint(
    endpoint_id: uuid.UUID, session: SessionDep, principal: PrincipalDep, clock: ClockDep
) -> PingRequested:
    return await service.request_test(session, principal, endpoint_id, now=clock())
