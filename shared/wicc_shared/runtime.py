"""What a running process holds: built in the lifespan, never at import time."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator, Collection
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

import httpx
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from wicc_shared.clock import Clock, system_clock
from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.events.kicks import RelayKicks
from wicc_shared.events.outbox import OUTBOX_PENDING_KEY
from wicc_shared.events.stream import EventStream
from wicc_shared.logging import configure_logging
from wicc_shared.settings import WiccSettings

if TYPE_CHECKING:
    from wicc_shared.scheduler import Scheduler


@dataclass
class Runtime:
    """The process's connections, shared by every service it serves."""

    settings: WiccSettings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    http: httpx.AsyncClient
    stream: EventStream
    kicks: RelayKicks
    clock: Clock = system_clock
    scheduler: Scheduler | None = field(default=None)  # worker processes only

    def kick_relays(self, schemas: Collection[str]) -> None:
        """Have the relays of these schemas publish now (a commit wrote to their outbox)."""
        self.kicks.kick(schemas)

    @contextlib.asynccontextmanager
    async def transaction(self) -> AsyncIterator[AsyncSession]:
        """A session for background work (jobs, consumers): commits when the block ends,
        then kicks the relays of any outbox it wrote to, as a request's commit does."""
        async with self.sessions() as session:
            async with session.begin():
                yield session
            if schemas := session.info.get(OUTBOX_PENDING_KEY):
                self.kick_relays(schemas)


def runtime_of(conn: HTTPConnection) -> Runtime:
    runtime: Runtime = conn.app.state.runtime
    return runtime


async def open_runtime(settings: WiccSettings, *, name: str) -> Runtime:
    configure_logging(settings.log_level, settings.log_format)
    engine = create_engine(
        settings.async_database_url,
        application_name=f"wicc-{name}",
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
        connect_timeout=settings.db_connect_timeout_seconds,
        pool_timeout=settings.db_pool_timeout_seconds,
    )
    if settings.redis_url is None:
        raise RuntimeError("REDIS_URL is not set and no embedded server was started")
    redis = Redis.from_url(
        settings.redis_url,
        socket_timeout=30,
        socket_connect_timeout=2,
        health_check_interval=10,
        retry_on_timeout=False,
    )
    stream = EventStream(redis, settings.event_stream, settings.stream_maxlen)
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=create_sessionmaker(engine),
        redis=redis,
        http=httpx.AsyncClient(timeout=10.0),
        stream=stream,
        kicks=RelayKicks(redis, stream.kick_channel),
    )


async def close_runtime(runtime: Runtime) -> None:
    await runtime.kicks.close()
    await runtime.http.aclose()
    await runtime.redis.aclose()
    await runtime.engine.dispose()
