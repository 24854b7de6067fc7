"""API keys as bearer tokens; roles; scope to one organisation or one system."""

from __future__ import annotations

import hashlib
import hmac
import secrets
import time
from dataclasses import dataclass
from enum import StrEnum
from typing import Annotated

from fastapi import Depends
from fastapi.dependencies.models import Dependant
from fastapi.routing import APIRoute
from sqlalchemy import bindparam, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col
from starlette.requests import HTTPConnection

from wicc_shared import key_cache
from wicc_shared.errors import Forbidden, Unauthorized
from wicc_shared.kernel.models import ApiKey, Organisation
from wicc_shared.refusals import PRINCIPAL_SCOPE_KEY
from wicc_shared.runtime import runtime_of

TOKEN_PREFIX = "wicc_"  # noqa: S105 (a prefix, not a secret)
BOOTSTRAP_ADMIN_ID = "bootstrap-admin"


class Role(StrEnum):
    admin = "admin"
    coordinator = "coordinator"
    bed_manager = "bed_manager"
    integration = "integration"
    viewer = "viewer"


WRITE_ROLES = frozenset({Role.admin, Role.coordinator, Role.bed_manager, Role.integration})


@dataclass(frozen=True)
class Principal:
    key_id: str
    role: Role
    org_ods: str | None = None
    system_code: str | None = None

    @property
    def audit_role(self) -> str:
        return self.role.value

    @property
    def is_admin(self) -> bool:
        return self.role is Role.admin

    def covers(self, org: Organisation) -> bool:
        """True when the key's scope includes `org`."""
        if self.is_admin:
            return True
        if self.org_ods is not None:
            return self.org_ods == org.ods
        return self.system_code is not None and self.system_code == org.system_code


BOOTSTRAP_ADMIN = Principal(key_id=BOOTSTRAP_ADMIN_ID, role=Role.admin)


def new_token() -> str:
    return TOKEN_PREFIX + secrets.token_urlsafe(32)


_KEY_BY_HASH = select(ApiKey).where(col(ApiKey.token_hash) == bindparam("token_hash"))


def hash_token(token: str) -> str:
    # Tokens are 256 random bits, so a fast hash is enough: there is nothing to brute-force.
    return hashlib.sha256(token.encode()).hexdigest()


async def authenticate(
    session: AsyncSession,
    token: str,
    admin_token: str | None,
    *,
    now: key_cache.Clock = time.monotonic,
) -> Principal | None:
    if admin_token and hmac.compare_digest(token.encode(), admin_token.encode()):
        return BOOTSTRAP_ADMIN
    token_hash = hash_token(token)
    remembered = key_cache.recall(session, token_hash, now)
    if remembered is not None:
        return remembered
    key = (await session.execute(_KEY_BY_HASH, {"token_hash": token_hash})).scalar_one_or_none()
    if key is None or key.revoked_at is not None:
        return None
    principal = Principal(
        key_id=str(key.id), role=Role(key.role), org_ods=key.org_ods, system_code=key.system_code
    )
    key_cache.remember(session, token_hash, principal, now)
    return principal


def token_from(conn: HTTPConnection) -> str | None:
    """Bearer header; WebSocket clients (browsers) may pass `?token=` instead."""
    header = conn.headers.get("authorization", "")
    scheme, _, value = header.partition(" ")
    if scheme.lower() == "bearer" and value.strip():
        return value.strip()
    if conn.scope.get("type") == "websocket":
        return conn.query_params.get("token") or None
    return None


async def principal_for(conn: HTTPConnection, session: AsyncSession) -> Principal:
    token = token_from(conn)
    if not token:
        raise Unauthorized("Send an API key as 'Authorization: Bearer <token>'.")
    admin = runtime_of(conn).settings.admin_token
    principal = await authenticate(session, token, admin.get_secret_value() if admin else None)
    if principal is None:
        raise Unauthorized("The API key is unknown or revoked.")
    return principal


async def principal_of(conn: HTTPConnection) -> Principal:
    """As `principal_for`, opening a session only when the key is neither the bootstrap
    token nor remembered (opening one costs more than the rest of this)."""
    runtime = runtime_of(conn)
    token = token_from(conn)
    if token:
        admin = runtime.settings.admin_token
        if admin and hmac.compare_digest(token.encode(), admin.get_secret_value().encode()):
            return BOOTSTRAP_ADMIN
        remembered = key_cache.recall_in(runtime.engine.sync_engine, hash_token(token))
        if remembered is not None:
            return remembered
    async with runtime.sessions() as session:
        return await principal_for(conn, session)


async def current_principal(conn: HTTPConnection) -> Principal:
    """The key's principal: the request guard (wicc_shared.guard) authenticated it before
    the body was read; otherwise (a WebSocket, an app without the guard) it is looked up."""
    principal = conn.scope.get(PRINCIPAL_SCOPE_KEY)
    if isinstance(principal, Principal):
        return principal
    return await principal_of(conn)


PrincipalDep = Annotated[Principal, Depends(current_principal)]


def needs_key(route: APIRoute) -> bool:
    """True when the route depends on the key's principal (directly or through
    another dependency such as `AdminDep`)."""
    return _depends_on_key(route.dependant)


def _depends_on_key(dependant: Dependant) -> bool:
    return any(d.call is current_principal or _depends_on_key(d) for d in dependant.dependencies)


def ensure_can_write(principal: Principal, org: Organisation) -> None:
    if principal.role not in WRITE_ROLES:
        raise Forbidden(f"Role '{principal.role}' is read-only.")
    if not principal.covers(org):
        raise Forbidden(f"This key is not scoped to organisation {org.ods}.")


async def require_admin(principal: PrincipalDep) -> Principal:
    if not principal.is_admin:
        raise Forbidden("Only an admin key may do this.")
    return principal


AdminDep = Annotated[Principal, Depends(require_admin)]
