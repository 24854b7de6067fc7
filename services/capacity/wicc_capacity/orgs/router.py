"""Reference data: organisations with their sites and units."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query

from wicc_capacity import examples
from wicc_capacity.orgs import repository
from wicc_capacity.orgs.schemas import OrganisationRead
from wicc_shared.auth import PrincipalDep
from wicc_shared.deps import SessionDep
from wicc_shared.errors import NotFound
from wicc_shared.kernel.reference import OrgKind
from wicc_shared.openapi import json_example, page_example, problem_responses
from wicc_shared.pagination import Page, PageDep

router = APIRouter(prefix="/v1/orgs", tags=["reference data"])


@router.get(
    "",
    response_model=Page[OrganisationRead],
    summary="Organisations, sites and units",
    responses=problem_responses(401, 422) | {200: json_example(page_example(examples.ORG))},
)
async def list_orgs(
    session: SessionDep,
    _principal: PrincipalDep,
    page: PageDep,
    system: Annotated[str | None, Query(description="Care system code")] = None,
    kind: Annotated[OrgKind | None, Query(description="Organisation kind")] = None,
) -> Page[OrganisationRead]:
    items, total = await repository.list_orgs(
        session, system=system, kind=kind.value if kind else None, page=page
    )
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.get(
    "/{ods}",
    response_model=OrganisationRead,
    summary="One organisation",
    responses=problem_responses(401, 404) | {200: json_example(examples.ORG)},
)
async def get_org(ods: str, session: SessionDep, _principal: PrincipalDep) -> OrganisationRead:
    org = await repository.get_org(session, ods)
    if org is None:
        raise NotFound(f"No organisation with ODS code {ods!r}.")
    return org
