"""Embedded infrastructure keeps its data across restarts; production refuses unsafe settings."""

from __future__ import annotations

from pathlib import Path

import pytest
from pydantic import SecretStr, ValidationError
from redis import Redis

from wicc.cli import worker_environment
from wicc_shared.embedded import EmbeddedRedis
from wicc_shared.settings import Settings, to_asyncpg_url


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
