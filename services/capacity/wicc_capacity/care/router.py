"""HTTP routes for care-package capacity (thin: parse, authorise, call the service)."""

from __future__ import annotations

from datetime import timedelta
from typing import Annotated

from fastapi import APIRouter, Query

from wicc_capacity import examples
from wicc_capacity.care import service
from wicc_capacity.care.schemas import (
    CareCapacityList,
    CareCapacityUpdate,
    CareHistoryEntry,
    ProviderCapacityRead,
)
from wicc_capacity.care.service import Timing
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import RuntimeDep, SessionDep
from wicc_shared.kernel.reference import CareServiceType
from wicc_shared.openapi import json_example, problem_responses
from wicc_shared.pagination import Page, PageDep
from wicc_shared.runtime import Runtime
from wicc_shared.timestamps import ClientTime

router = APIRouter(prefix="/v1", tags=["care capacity"])

ServiceQuery = Annotated[CareServiceType | None, Query(alias="service", description="Service type")]


def _timing(runtime: Runtime, clock: ClockDep) -> Timing:
    settings = runtime.settings
    return Timing(
        now=clock(),
        max_skew=timedelta(seconds=settings.max_clock_skew_seconds),
        freshness_hours=settings.care_freshness_hours,
    )


@router.put(
    "/providers/{provider_id}/capacity",
    response_model=ProviderCapacityRead,
    summary="Report a provider's capacity for one service",
    description=(
        "`provider_id` is the provider's ODS code. The figures depend on `service_type` "
        "(see the body schema); a figure that does not apply to the type is refused. "
        "The report replaces the service's current figures when `as_of` is newer than the "
        "recorded one (for a care home, categories left out are removed). Retrying the same "
        "report is safe (200, no new version). An older or conflicting report for an "
        "already-recorded moment gets 409 `stale-update` and changes nothing. "
        "Returns the provider's current capacity for every service."
    ),
    responses=problem_responses(401, 403, 404, 409, 422)
    | {200: json_example(examples.PROVIDER_CAPACITY)},
)
async def put_capacity(
    provider_id: str,
    body: CareCapacityUpdate,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    clock: ClockDep,
) -> ProviderCapacityRead:
    timing = _timing(runtime, clock)
    return await service.report_capacity(session, principal, provider_id, body, timing)


@router.get(
    "/providers/{provider_id}/capacity",
    response_model=ProviderCapacityRead,
    summary="A provider's current capacity, every service",
    responses=problem_responses(401, 404) | {200: json_example(examples.PROVIDER_CAPACITY)},
)
async def get_provider_capacity(
    provider_id: str,
    session: SessionDep,
    _principal: PrincipalDep,
    runtime: RuntimeDep,
    clock: ClockDep,
) -> ProviderCapacityRead:
    return await service.provider_capacity(session, provider_id, _timing(runtime, clock))


@router.get(
    "/providers/{provider_id}/capacity/history",
    response_model=Page[CareHistoryEntry],
    summary="Every accepted report of a provider, newest first",
    responses=problem_responses(401, 404, 422) | {200: json_example(examples.CARE_HISTORY)},
)
async def get_capacity_history(
    provider_id: str,
    session: SessionDep,
    _principal: PrincipalDep,
    page: PageDep,
    service_type: ServiceQuery = None,
    since: Annotated[
        ClientTime | None, Query(alias="from", description="Earliest as_of (inclusive)")
    ] = None,
    until: Annotated[
        ClientTime | None, Query(alias="to", description="Latest as_of (inclusive)")
    ] = None,
) -> Page[CareHistoryEntry]:
    return await service.provider_history(
        session, provider_id, service_type=service_type, since=since, until=until, page=page
    )


@router.get(
    "/care-capacity",
    response_model=CareCapacityList,
    summary="Current care capacity with fresh and stale totals",
    description=(
        "One item per provider, service and (care homes) bed category, each with its age "
        "and whether it is stale (older than the service type's freshness limit). "
        "`totals` sum only fresh figures into `fresh`; stale figures are summed apart into "
        "`stale` and counted in `stale_providers`. Without `locality`, totals are given for "
        "the whole system and for each locality."
    ),
    responses=problem_responses(401, 422) | {200: json_example(examples.CARE_CAPACITY)},
)
async def list_care_capacity(
    session: SessionDep,
    _principal: PrincipalDep,
    page: PageDep,
    runtime: RuntimeDep,
    clock: ClockDep,
    service_type: ServiceQuery = None,
    locality: Annotated[str | None, Query(description="Locality code")] = None,
) -> CareCapacityList:
    return await service.list_capacity(
        session,
        service_type=service_type,
        locality=locality,
        page=page,
        timing=_timing(runtime, clock),
    )
