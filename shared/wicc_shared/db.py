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

from wicc_shared.settings import (
    DB_CONNECT_TIMEOUT_SECONDS,
    DB_POOL_TIMEOUT_SECONDS,
    to_asyncpg_url,
)

# Connections are replaced after this long, so one never outlives a server-side or
# proxy idle timeout unnoticed.
POOL_RECYCLE_SECONDS = 1800


def create_engine(
    url: str,
    application_name: str,
    *,
    pool_size: int = 10,
    max_overflow: int | None = None,
    connect_timeout: float = DB_CONNECT_TIMEOUT_SECONDS,
    pool_timeout: float = DB_POOL_TIMEOUT_SECONDS,
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
        # Waiting longer for a free connection (sqlalchemy.exc.TimeoutError) answers 503:
        # every connection is busy, so the client is better told to come back.
        pool_timeout=pool_timeout,
        # A timed-out connect raises TimeoutError, an OSError: a retryable 503.
        connect_args={
            "server_settings": {"application_name": application_name},
            "timeout": connect_timeout,
        },
        # JSON and JSONB columns (figures, audit entries, outbox payloads) through
        # pydantic-core's encoder: several times faster than the json module's, and
        # they are on every write path.
        json_serializer=_json_text,
        json_deserializer=from_json,
    )
    event.listen(engine.sync_engine, "handle_error", _unusable_connection_is_a_disconnect)
    return engine


def _json_text(value: Any) -> str:
    return to_json(value).decode()


# SQLSTATEs with which PostgreSQL refuses or ends a session because of its own state,
# not the statement's: it is starting up or shutting down (57P03 cannot_connect_now),
# ended the session (57P01 admin_shutdown, 57P02 crash_shutdown, 57P05
# idle_session_timeout), has no connection slot free (53300 too_many_connections), or
# the connection itself failed (class 08). The same request succeeds once the server
# is back, so it must reach the client as a retryable 503, never a 500.
_SERVER_UNAVAILABLE = frozenset({"57P01", "57P02", "57P03", "57P05", "53300"})
# Only while connecting: "database is not currently accepting connections" (`ALTER
# DATABASE ... ALLOW_CONNECTIONS false`, as during maintenance). A statement that
# fails with this code is an ordinary error, and stays a 500.
_REFUSED_WHILE_CONNECTING = frozenset({"55000"})


def server_unavailable(sqlstate: str | None, *, connecting: bool) -> bool:
    """Whether an error with this SQLSTATE means the server cannot serve us now."""
    if sqlstate is None:
        return False
    if sqlstate.startswith("08") or sqlstate in _SERVER_UNAVAILABLE:
        return True
    return connecting and sqlstate in _REFUSED_WHILE_CONNECTING


def _unusable_connection_is_a_disconnect(context: ExceptionContext) -> None:
    """Count every error that leaves no usable connection as a disconnect: the pool then
    discards the connection (and, after one dropped mid-statement, every older one), and
    the error reaches the request as `connection_invalidated`, a retryable 503.

    The dialect alone counts only a connection asyncpg already marked closed, so a
    refusal while connecting (a server starting up or shutting down, out of slots) and a
    session ended by the server before asyncpg noticed would otherwise be 500s. A
    dropped connection can also fail with asyncpg's InternalClientError (its protocol
    caught mid-operation) before asyncpg marks it closed.
    """
    error = context.original_exception
    sqlstate = getattr(error, "sqlstate", None)
    # No connection in the context: the error came while opening one.
    connecting = context.connection is None
    if server_unavailable(sqlstate, connecting=connecting) or (
        type(error.__cause__).__name__ == "InternalClientError"
    ):
        context.is_disconnect = True


def create_sessionmaker(engine: AsyncEngine) -> async_sessionmaker[AsyncSession]:
    return async_sessionmaker(engine, expire_on_commit=False, autoflush=False)
