"""Admin routes: API keys."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, status

from wicc_flow import examples
from wicc_flow.admin import service
from wicc_flow.admin.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from wicc_shared.auth import AdminDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import json_example, problem_responses
from wicc_shared.pagination import Page, PageDep

router = APIRouter(prefix="/v1/admin/api-keys", tags=["admin"])


@router.post(
    "",
    status_code=status.HTTP_201_CREATED,
    response_model=ApiKeyCreated,
    summary="Issue an API key (the token is shown only once)",
    responses=problem_responses(401, 403, 422) | {201: json_example(examples.API_KEY_CREATED)},
)
async def create_key(body: ApiKeyCreate, session: SessionDep, admin: AdminDep) -> ApiKeyCreated:
    return await service.create_key(session, admin, body)


@router.get(
    "",
    response_model=Page[ApiKeyRead],
    summary="List API keys (never their tokens)",
    responses=problem_responses(401, 403) | {200: json_example(examples.API_KEYS)},
)
async def list_keys(
    session: SessionDep,
    _admin: AdminDep,
    page: PageDep,
    include_revoked: Annotated[bool, Query(description="Include revoked keys")] = False,
) -> Page[ApiKeyRead]:
    items, total = await service.list_keys(session, include_revoked=include_revoked, page=page)
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


@router.delete(
    "/{key_id}",
    response_model=ApiKeyRead,
    summary="Revoke an API key",
    description=(
        "Takes effect at once in the process that answers, and within 5 seconds in every "
        "other WICC process (each keeps a found key for 5 seconds). Revoking a revoked key "
        "is harmless: 200 with the key as it is."
    ),
    responses=problem_responses(401, 403, 404) | {200: json_example(examples.REVOKED_KEY)},
)
async def revoke_key(
    key_id: uuid.UUID, session: SessionDep, admin: AdminDep, clock: ClockDep
) -> ApiKeyRead:
    return await service.revoke_key(session, admin, key_id, clock())
