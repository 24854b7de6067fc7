"""Issuing, listing and revoking API keys."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_flow.admin.schemas import ApiKeyCreate, ApiKeyCreated, ApiKeyRead
from wicc_shared import key_cache
from wicc_shared.audit import record_audit
from wicc_shared.auth import Principal, Role, hash_token, new_token
from wicc_shared.errors import FieldError, NotFound, ValidationFailed
from wicc_shared.kernel.models import ApiKey, CareSystem, Organisation
from wicc_shared.pagination import PageParams, fetch_page

PREFIX_LENGTH = 12


async def create_key(session: AsyncSession, admin: Principal, body: ApiKeyCreate) -> ApiKeyCreated:
    await _check_scope(session, body)
    token = new_token()
    key = ApiKey(
        token_hash=hash_token(token),
        token_prefix=token[:PREFIX_LENGTH],
        role=body.role.value,
        org_ods=body.org,
        system_code=body.system,
        label=body.label,
        created_by=admin.key_id,
    )
    session.add(key)
    await session.flush()
    await session.refresh(key)
    read = to_read(key)
    await record_audit(
        session,
        admin,
        action="api_key.created",
        entity_type="api_key",
        entity_id=str(key.id),
        org_ods=body.org,
        before=None,
        after=read.model_dump(mode="json"),
    )
    return ApiKeyCreated(**read.model_dump(), token=token)


async def _check_scope(session: AsyncSession, body: ApiKeyCreate) -> None:
    errors: list[FieldError] = []
    scopes = [s for s in (body.org, body.system) if s is not None]
    if body.role is Role.admin and scopes:
        errors.append(FieldError("role", "admin keys are not scoped; omit org and system"))
    elif body.role is not Role.admin and len(scopes) != 1:
        errors.append(
            FieldError(
                "org",
                "give exactly one of org or system for a non-admin key",
                code="scope_required",
            )
        )
    if body.org is not None and await session.get(Organisation, body.org) is None:
        errors.append(FieldError("org", f"unknown organisation {body.org!r}", code="unknown"))
    if body.system is not None and await session.get(CareSystem, body.system) is None:
        errors.append(FieldError("system", f"unknown care system {body.system!r}", code="unknown"))
    if errors:
        raise ValidationFailed(errors)


async def list_keys(
    session: AsyncSession, *, include_revoked: bool, page: PageParams
) -> tuple[list[ApiKeyRead], int]:
    query = select(ApiKey).order_by(col(ApiKey.created_at).desc())
    if not include_revoked:
        query = query.where(col(ApiKey.revoked_at).is_(None))
    keys, total = await fetch_page(session, query, page)
    return [to_read(k) for k in keys], total


async def revoke_key(
    session: AsyncSession, admin: Principal, key_id: uuid.UUID, now: datetime
) -> ApiKeyRead:
    key = await session.get(ApiKey, key_id, with_for_update=True)
    if key is None:
        raise NotFound(f"No API key {key_id}.")
    if key.revoked_at is None:
        before = to_read(key).model_dump(mode="json")
        key.revoked_at = now
        await session.flush()
        key_cache.forget_after_commit(session, str(key.id))
        await record_audit(
            session,
            admin,
            action="api_key.revoked",
            entity_type="api_key",
            entity_id=str(key.id),
            org_ods=key.org_ods,
            before=before,
            after=to_read(key).model_dump(mode="json"),
        )
    return to_read(key)


def to_read(key: ApiKey) -> ApiKeyRead:
    return ApiKeyRead(
        id=key.id,
        token_prefix=key.token_prefix,
        role=Role(key.role),
        org=key.org_ods,
        system=key.system_code,
        label=key.label,
        created_by=key.created_by,
        created_at=key.created_at,
        revoked_at=key.revoked_at,
    )
