"""One async engine per process and one commit point per request."""

from __future__ import annotations

from typing import Any

from pydantic_core import from_json, to_json
from sqlalchemy import event
from sqlalchemy.engine import ExceptionContext
from sqlalchemy.ext.asyncio import (
    AsyncEngine,
    AsyncSession,
    async_sessionmaker,
    create_async_engine,
)

from wicc_shared.settings import to_asyncpg_url

# Connections are replaced after this long, so one never outlives a server-side or
# proxy idle timeout unnoticed.
POOL_RECYCLE_SECONDS = 1800


def create_engine(
    url: str, application_name: str, *, pool_size: int = 10, max_overflow: int | None = None
) -> AsyncEngine:
    engine = create_async_engine(
        to_asyncpg_url(url),
        pool_size=pool_size,
        # Overflow connections are closed as soon as they are returned, so a load that
        # keeps more requests in flight than `pool_size` opens and closes a connection
        # per request (a PostgreSQL backend each time): size the pool for the load.
        max_overflow=pool_size if max_overflow is None else max_overflow,
        # No pre-ping: it costs two round trips per checkout on every request. After a
        # database restart the first statement on a dead connection fails instead; that
        # request gets a 503 (safe to retry) and SQLAlchemy then discards every pooled
        # connection older than the failure, so the next requests reconnect.
        pool_recycle=POOL_RECYCLE_SECONDS,
        connect_args={"server_settings": {"application_name": application_name}},
        # JSON and JSONB columns (figures, audit entries, outbox payloads) through
        # pydantic-core's encoder: several times faster than the json module's, and
        # they are on every write path.
        json_serializer=_json_text,
        json_deserializer=from_json,
    )
    event.listen(engine.sync_engine, "handle_error", _broken_connection_is_a_disconnect)
    return engine


def _json_text(value: Any) -> str:
    return to_json(value).decode()


def _broken_connection_is_a_disconnect(context: ExceptionContext) -> None:
    """A connection the server dropped can fail with asyncpg's InternalClientError
    (its protocol caught mid-operation) before asyncpg marks it closed, which the
    dialect would report as an ordinary error and keep the connection. It is
    unusable either way: count it as a disconnect, so the pool discards it and the
    request gets a retryable 503."""
    cause = context.original_exception.__cause__
    if type(cause).__name__ == "InternalClientError":
        context.is_disconnect = True


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
