"""What a running process holds: built in the lifespan, never at import time."""

from __future__ import annotations

from collections.abc import Collection
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import Request
from redis.asyncio import Redis
from sqlalchemy.ext.asyncio import AsyncEngine, AsyncSession, async_sessionmaker
from starlette.requests import HTTPConnection

from wicc_shared.clock import Clock, system_clock
from wicc_shared.events.relay import OutboxRelay
from wicc_shared.events.stream import EventStream
from wicc_shared.settings import Settings


@dataclass
class Runtime:
    settings: Settings
    engine: AsyncEngine
    sessions: async_sessionmaker[AsyncSession]
    redis: Redis
    http: httpx.AsyncClient
    stream: EventStream
    relays: list[OutboxRelay] = field(default_factory=list)
    components: dict[str, Any] = field(default_factory=dict)
    clock: Clock = system_clock

    def kick_relays(self, schemas: Collection[str] | None = None) -> None:
        """Wake the relays of these schemas (all relays when None) to publish now."""
        for relay in self.relays:
            if schemas is None or relay.table.schema in schemas:
                relay.kick()


def runtime_of(conn: HTTPConnection | Request) -> Runtime:
    runtime: Runtime = conn.app.state.runtime
    return runtime
