"""The short-lived cache of reference rows, against the real reference tables."""

from __future__ import annotations

from collections.abc import AsyncIterator

import pytest
from sqlalchemy import update
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker

from wicc_capacity.sitreps.repository import load_active_org
from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.kernel.models import CareSystem, Organisation
from wicc_shared.kernel.reference_cache import TTL_SECONDS, cached_reference


class _Clock:
    def __init__(self) -> None:
        self.now = 1000.0

    def __call__(self) -> float:
        return self.now


class _CountingLoader:
    """The real loader, counting how often the database is asked."""

    def __init__(self) -> None:
        self.calls = 0

    async def __call__(
        self, session: AsyncSession, ods: str
    ) -> tuple[Organisation, CareSystem] | None:
        self.calls += 1
        return await load_active_org(session, ods)


@pytest.fixture
async def sessions(fresh_db: str) -> AsyncIterator[async_sessionmaker[AsyncSession]]:
    engine = create_engine(fresh_db, "wicc-tests", pool_size=2)
    yield create_sessionmaker(engine)
    await engine.dispose()


async def _lookup(
    sessions: async_sessionmaker[AsyncSession], ods: str, load: _CountingLoader, clock: _Clock
) -> tuple[Organisation, CareSystem] | None:
    async with sessions() as session:
        return await cached_reference(session, "active_org", ods, load, now=clock)


async def test_a_found_organisation_is_reused_until_the_ttl_passes(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    load, clock = _CountingLoader(), _Clock()
    first = await _lookup(sessions, "RNZ", load, clock)
    clock.now += TTL_SECONDS - 1
    again = await _lookup(sessions, "RNZ", load, clock)
    assert first is not None and again is first
    assert load.calls == 1

    async with sessions() as session, session.begin():
        await session.execute(
            update(Organisation).where(Organisation.ods == "RNZ").values(active=False)  # type: ignore[arg-type]
        )
    clock.now += 2  # past the TTL: the deactivation is seen
    assert await _lookup(sessions, "RNZ", load, clock) is None
    assert load.calls == 2


async def test_an_unknown_organisation_is_not_remembered(
    sessions: async_sessionmaker[AsyncSession],
) -> None:
    load, clock = _CountingLoader(), _Clock()
    assert await _lookup(sessions, "NOPE", load, clock) is None
    assert await _lookup(sessions, "NOPE", load, clock) is None
    assert load.calls == 2
