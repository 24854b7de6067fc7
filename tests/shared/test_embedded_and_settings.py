"""Embedded infrastructure stops cleanly and keeps its data across restarts; production
refuses unsafe settings."""

from __future__ import annotations

import asyncio
from pathlib import Path

import asyncpg
import pytest
from pydantic import SecretStr, ValidationError
from redis import Redis

from wicc.app import Settings
from wicc.cli import worker_environment
from wicc_shared.embedded import EmbeddedPostgres, EmbeddedRedis
from wicc_shared.settings import to_asyncpg_url


def test_embedded_redis_keeps_the_event_log_across_a_restart(tmp_path: Path) -> None:
    server = EmbeddedRedis(tmp_path)
    url = server.start()
    client = Redis.from_url(url)
    client.xadd("wicc:events", {"e": "payload"}, id="7-0")
    client.close()
    server.stop()

    again = EmbeddedRedis(tmp_path)  # a new process picks the same port and data
    assert again.start() == url
    client = Redis.from_url(url)
    try:
        assert client.xrange("wicc:events") == [(b"7-0", {b"e": b"payload"})]
    finally:
        client.close()
        again.stop()


async def _query(url: str, setup: str, query: str) -> list[asyncpg.Record]:
    """Run the `setup` statements (if any), then `query`."""
    conn = await asyncpg.connect(url)
    try:
        if setup:
            await conn.execute(setup)
        rows: list[asyncpg.Record] = await conn.fetch(query)
        return rows
    finally:
        await conn.close()


def test_embedded_postgres_stops_cleanly_and_keeps_its_data(tmp_path: Path) -> None:
    server = EmbeddedPostgres(tmp_path)
    url = server.ensure_database("kept")
    setup = "CREATE TABLE note (body text); INSERT INTO note VALUES ('x')"
    assert len(asyncio.run(_query(url, setup, "SELECT body FROM note"))) == 1
    server.stop()
    # A clean shutdown removes the server's lock file (a crash would leave it behind).
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()

    again = EmbeddedPostgres(tmp_path)  # a new process finds the same cluster
    try:
        url_again = again.ensure_database("kept")
        rows = asyncio.run(_query(url_again, "", "SELECT body FROM note"))
        assert [r["body"] for r in rows] == ["x"]
    finally:
        again.stop()
    assert not (tmp_path / "postgres" / "postmaster.pid").exists()


def test_production_refuses_missing_infrastructure_urls() -> None:
    with pytest.raises(ValidationError, match="DATABASE_URL"):
        Settings(env="production", database_url=None, redis_url="redis://r")


def test_production_refuses_a_short_admin_token() -> None:
    with pytest.raises(ValidationError, match="at least 32"):
        Settings(
            env="production",
            database_url="postgresql://db/x",
            redis_url="redis://r",
            admin_token="short",
        )


def test_development_defaults_are_accepted() -> None:
    settings = Settings(env="development", database_url=None, redis_url=None)
    assert settings.port == 8000
    assert settings.data_dir == Path(".wicc")


def test_plain_postgres_urls_are_accepted() -> None:
    assert to_asyncpg_url("postgresql://u@h/db") == "postgresql+asyncpg://u@h/db"
    assert to_asyncpg_url("postgres://u@h/db") == "postgresql+asyncpg://u@h/db"


def test_worker_processes_get_the_resolved_urls_and_admin_token() -> None:
    settings = Settings(
        database_url="postgresql://db.example/wicc",
        redis_url="redis://cache.example/0",
        admin_token=SecretStr("tok"),
        workers=2,
    )
    assert worker_environment(settings) == {
        "DATABASE_URL": "postgresql://db.example/wicc",
        "REDIS_URL": "redis://cache.example/0",
        "WICC_ADMIN_TOKEN": "tok",
    }


@pytest.mark.parametrize("workers", [0, 65])
def test_worker_count_is_bounded(workers: int) -> None:
    with pytest.raises(ValidationError):
        Settings(workers=workers)
