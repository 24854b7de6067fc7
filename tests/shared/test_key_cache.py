"""The short-lived cache of authenticated API keys: revocation at once in this
process, within the TTL elsewhere, and nothing remembered for an unknown token."""

from __future__ import annotations

from collections.abc import AsyncIterator

import asyncpg
import pytest
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from tests.support import Wicc, plain_url
from wicc_shared.auth import authenticate
from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.key_cache import TTL_SECONDS


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


@pytest.fixture
async def sessions(wicc: Wicc) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    """Sessions on the test server's database through an engine of their own, as
    another process would have."""
    engine = create_engine(wicc.settings.async_database_url, "wicc-tests", pool_size=2)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _revoke_elsewhere(wicc: Wicc) -> None:
    """Revoke every key as another process would: straight in the database."""
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        await conn.execute("UPDATE kernel.api_key SET revoked_at = now()")
    finally:
        await conn.close()


async def test_a_key_revoked_here_is_refused_at_once_on_every_service(wicc: Wicc) -> None:
    token = await wicc.key("bed_manager", org="RNZ")
    assert (await wicc.client.get("/flow/v1/board", headers=wicc.auth(token))).status_code == 200
    beds = await wicc.put_beds("RNZ-AMU", token, occupied=3)
    assert beds.status_code == 200, beds.text  # both services have now seen the key

    key_id = (await wicc.client.get("/flow/v1/admin/api-keys", headers=wicc.auth())).json()[
        "items"
    ][0]["id"]
    revoked = await wicc.client.delete(f"/flow/v1/admin/api-keys/{key_id}", headers=wicc.auth())
    assert revoked.status_code == 200

    assert (await wicc.client.get("/flow/v1/board", headers=wicc.auth(token))).status_code == 401
    refused = await wicc.put_beds("RNZ-AMU", token, occupied=4)
    assert refused.status_code == 401
    assert refused.headers["content-type"] == "application/problem+json"


async def test_a_key_revoked_elsewhere_is_refused_once_the_ttl_has_passed(
    wicc: Wicc, sessions: async_sessionmaker[AsyncSession]
) -> None:
    token = await wicc.key("integration", system="wiltshire")
    clock = _Clock()
    async with sessions() as session:
        first = await authenticate(session, token, None, now=clock)
    assert first is not None and first.system_code == "wiltshire"

    await _revoke_elsewhere(wicc)
    clock.now += TTL_SECONDS - 0.5
    async with sessions() as session:
        assert await authenticate(session, token, None, now=clock) == first
    clock.now += 1  # past the TTL: the revocation is seen
    async with sessions() as session:
        assert await authenticate(session, token, None, now=clock) is None
    async with sessions() as session:
        assert await authenticate(session, token, None, now=clock) is None  # not remembered


async def test_an_unknown_token_is_not_remembered(
    wicc: Wicc, sessions: async_sessionmaker[AsyncSession]
) -> None:
    clock = _Clock()
    async with sessions() as session:
        assert await authenticate(session, "wicc_not-a-key", None, now=clock) is None
    token = await wicc.key("viewer", org="RD1")
    async with sessions() as session:
        assert await authenticate(session, token, None, now=clock) is not None
