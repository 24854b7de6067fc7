"""HTTP routes of an endpoint's deliveries: the log, a retry, a replay."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from wicc_flow.state import FlowStateDep
from wicc_flow.webhooks import examples
from wicc_flow.webhooks.deliveries import service
from wicc_flow.webhooks.deliveries.schemas import (
    DeliveryDetail,
    DeliveryRead,
    ReplayRequest,
    ReplayResult,
)
from wicc_flow.webhooks.ordering import DeliveryStatus
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import RuntimeDep, SessionDep
from wicc_shared.openapi import json_example, problem_responses
from wicc_shared.pagination import Page, PageDep

router = APIRouter(prefix="/v1/webhooks/endpoints", tags=["webhooks"])


@router.get(
    "/{endpoint_id}/deliveries",
    response_model=Page[DeliveryRead],
    summary="An endpoint's delivery log",
    description=(
        "Newest first: each event sent (or to send) to the endpoint, its status "
        "(`pending`, `in_flight`, `delivered`, `failed`), attempts, and its last attempt's "
        "response code, latency and the start of the answer."
    ),
    responses=problem_responses(401, 403, 404, 422) | {200: json_example(examples.DELIVERIES)},
)
async def list_deliveries(
    endpoint_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    page: PageDep,
    delivery_status: Annotated[
        DeliveryStatus | None, Query(alias="status", description="Only deliveries in this status")
    ] = None,
) -> Page[DeliveryRead]:
    return await service.list_for(session, principal, endpoint_id, delivery_status, page)


@router.get(
    "/{endpoint_id}/deliveries/{delivery_id}",
    response_model=DeliveryDetail,
    summary="One delivery, with every attempt",
    responses=problem_responses(401, 403, 404, 422) | {200: json_example(examples.DELIVERY_DETAIL)},
)
async def get_delivery(
    endpoint_id: uuid.UUID, delivery_id: uuid.UUID, session: SessionDep, principal: PrincipalDep
) -> DeliveryDetail:
    return await service.detail(session, principal, endpoint_id, delivery_id)


@router.post(
    "/{endpoint_id}/deliveries/{delivery_id}/retry",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=DeliveryRead,
    summary="Send a delivery again now",
    description=(
        "A `failed` delivery is sent again on a fresh retry schedule; a `pending` one is "
        "sent without waiting for its next scheduled attempt (still after any earlier "
        "event of its subject). Either way with its original `webhook-id`. 409 "
        "`delivery-not-retryable` while in flight or once delivered (replay it instead); "
        "409 `endpoint-disabled` while the endpoint is disabled."
    ),
    responses=problem_responses(401, 403, 404, 409, 422) | {202: json_example(examples.RETRIED)},
)
async def retry_delivery(
    endpoint_id: uuid.UUID,
    delivery_id: uuid.UUID,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
) -> DeliveryRead:
    retried = await service.retry(session, principal, endpoint_id, delivery_id, now=clock())
    state.webhooks.dispatcher.wake()
    return retried


@router.post(
    "/{endpoint_id}/replay",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ReplayResult,
    summary="Re-send what the endpoint's filter matched since a point of the event log",
    description=(
        "`since` is an event-log sequence number (events after it) or a time (events from "
        "it). Every event the endpoint receives (its filter and its owner's scope) is "
        "queued again, with its original `webhook-id`, in order within each subject; "
        f"at most {service.MAX_REPLAY} per call (`complete: false`: call again with "
        "`since` = `to_seq`). The log keeps the last `WICC_STREAM_MAXLEN` events: when "
        "some after `since` were trimmed, 409 `replay-too-old` with `oldest_seq`, rather "
        "than a silent gap. 409 `endpoint-disabled` while the endpoint is disabled."
    ),
    responses=problem_responses(401, 403, 404, 409, 422) | {202: json_example(examples.REPLAYED)},
)
async def replay(
    endpoint_id: uuid.UUID,
    body: ReplayRequest,
    session: SessionDep,
    principal: PrincipalDep,
    clock: ClockDep,
    runtime: RuntimeDep,
    state: FlowStateDep,
) -> ReplayResult:
    result = await service.request_replay(
        session, principal, endpoint_id, body, runtime.stream, now=clock()
    )
    state.webhooks.dispatcher.wake()
    return result
