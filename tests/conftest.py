"""Fixtures: one real PostgreSQL and Redis per session; a fresh database per test.

By default both servers are the embedded ones from pip wheels (under
`.wicc/test`). Set TEST_DATABASE_URL / TEST_REDIS_URL to run the suite against
other servers instead (it creates and drops databases there).
"""

from __future__ import annotations

import os
import uuid
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import pytest

from tests.support import (
    Wicc,
    admin_connection,
    database_url,
    prepare_database,
    serve,
    settings_for,
)
from wicc_shared.embedded import EmbeddedPostgres, EmbeddedRedis

ROOT = Path(__file__).resolve().parent.parent
TEST_DATA_DIR = ROOT / ".wicc" / "test"


def _configured(name: str) -> str | None:
    return os.environ.get(f"TEST_{name}")


@pytest.fixture(scope="session")
def postgres_url() -> Iterator[str]:
    configured = _configured("DATABASE_URL")
    if configured:
        yield configured
        return
    server = EmbeddedPostgres(TEST_DATA_DIR)
    yield server.ensure_database("postgres")
    server.stop()


@pytest.fixture(scope="session")
def redis_url() -> Iterator[str]:
    configured = _configured("REDIS_URL")
    if configured:
        yield configured
        return
    # One per test process: concurrent runs must not stop each other's Redis.
    server = EmbeddedRedis(TEST_DATA_DIR / f"redis-{os.getpid()}")
    server.wipe()
    yield server.start()
    server.wipe()


@pytest.fixture(scope="session")
async def template_db(postgres_url: str) -> str:
    """A migrated database holding the demo reference data, cloned for each test."""
    name = f"wicc_template_{os.getpid()}"
    conn = await admin_connection(postgres_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.execute(f'CREATE DATABASE "{name}"')
    finally:
        await conn.close()
    await prepare_database(database_url(postgres_url, name))
    return name


@pytest.fixture
async def fresh_db(postgres_url: str, template_db: str) -> AsyncIterator[str]:
    name = f"wicc_t_{uuid.uuid4().hex[:16]}"
    conn = await admin_connection(postgres_url)
    try:
        await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    finally:
        await conn.close()
    yield database_url(postgres_url, name)
    conn = await admin_connection(postgres_url)
    try:
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
    finally:
        await conn.close()


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    """Override in a test module to tune the system under test."""
    return {}


@pytest.fixture
def uvicorn_overrides() -> dict[str, Any]:
    """Override in a test module to serve the system differently from `wicc run`."""
    return {}


@pytest.fixture
async def wicc(
    fresh_db: str,
    redis_url: str,
    settings_overrides: dict[str, Any],
    uvicorn_overrides: dict[str, Any],
) -> AsyncIterator[Wicc]:
    settings = settings_for(fresh_db, redis_url, **settings_overrides)
    async with serve(settings, uvicorn_overrides=uvicorn_overrides) as running:
        yield running


@pytest.fixture
def private_redis(tmp_path: Path) -> Iterator[EmbeddedRedis]:
    """A Redis of this test's own, which the test may stop and start."""
    server = EmbeddedRedis(tmp_path)
    server.start()
    yield server
    server.stop()
