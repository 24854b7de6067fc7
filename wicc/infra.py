"""Starting what the settings do not point at: embedded PostgreSQL and Redis."""

from __future__ import annotations

import contextlib
import logging
import secrets
from collections.abc import Iterator
from typing import TypeVar

from pydantic import SecretStr

from wicc_shared.embedded import EmbeddedPostgres, EmbeddedRedis
from wicc_shared.settings import WiccSettings

logger = logging.getLogger(__name__)
DATABASE_NAME = "wicc"
S = TypeVar("S", bound=WiccSettings)


@contextlib.contextmanager
def infrastructure(settings: S) -> Iterator[S]:
    """Yield settings whose URLs point at running servers; stop what was started."""
    postgres = redis = None
    updates: dict[str, object] = {}
    try:
        if not settings.database_url:
            postgres = EmbeddedPostgres(settings.data_dir)
            updates["database_url"] = postgres.ensure_database(DATABASE_NAME)
            logger.info("embedded PostgreSQL under %s", postgres.pgdata)
        if not settings.redis_url:
            redis = EmbeddedRedis(settings.data_dir)
            updates["redis_url"] = redis.start()
            logger.info("embedded Redis at %s", redis.url)
        if settings.admin_token is None and settings.env != "production":
            updates["admin_token"] = SecretStr(development_admin_token(settings))
        yield settings.model_copy(update=updates)
    finally:
        if redis is not None:
            redis.stop()
        if postgres is not None:
            postgres.stop()


def development_admin_token(settings: WiccSettings) -> str:
    """A per-checkout admin token kept in the data dir, so `make run` works at once."""
    path = settings.data_dir / "admin-token"
    if path.exists():
        return path.read_text().strip()
    settings.data_dir.mkdir(parents=True, exist_ok=True)
    token = "wicc_admin_" + secrets.token_urlsafe(32)
    path.write_text(token + "\n")
    path.chmod(0o600)
    return token
