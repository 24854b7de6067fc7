"""The board served by hypercorn: a second ASGI server, which offers no frame sink.

`wicc run` serves with uvicorn and writes board frames straight to each socket; any
other ASGI server must get the portable path (a bounded queue and a sender task per
client, plain `websocket.send`). The board tests below run again here, against the
whole system served by hypercorn instead of uvicorn.
"""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any, cast

import httpx
import pytest
from hypercorn.asyncio import serve as hypercorn_serve
from hypercorn.config import Config
from hypercorn.typing import Framework

from tests.flow.test_board import (  # collected again, with this module's `wicc`
    test_board_client_receives_a_bed_update,
    test_resume_with_since_replays_exactly_the_missed_events,
)
from tests.support import (
    Wicc,
    board_connections,
    connection_changes,
    next_event,
    next_frame,
    settings_for,
    until_board_connections_close,
)
from wicc.app import Settings, create_app
from wicc_shared.embedded import free_port

__all__ = [
    "test_board_client_receives_a_bed_update",
    "test_resume_with_since_replays_exactly_the_missed_events",
]


@asynccontextmanager
async def serve_with_hypercorn(settings: Settings) -> AsyncIterator[Wicc]:
    """The whole system on a free port, as `tests.support.serve` runs it, but served
    by hypercorn."""
    port = free_port()
    app = create_app(settings)
    config = Config()
    config.bind = [f"127.0.0.1:{port}"]
    config.loglevel = "WARNING"
    stop = asyncio.Event()
    # With a shutdown trigger hypercorn installs no signal handlers of its own.
    server = asyncio.create_task(
        hypercorn_serve(cast(Framework, app), config, shutdown_trigger=stop.wait)
    )
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=20) as client:
            await _until_ready(client, server)
            yield Wicc(base_url=base, app=app, settings=settings, client=client)
    finally:
        stop.set()
        await asyncio.wait_for(server, timeout=20)


async def _until_ready(client: httpx.AsyncClient, server: asyncio.Task[None]) -> None:
    # Unlike uvicorn's `started`, hypercorn says nothing when it listens: ask until it
    # answers (connections are refused until then).
    for _ in range(400):
        if server.done():
            server.result()  # it failed to start: show why
        try:
            if (await client.get("/flow/readyz")).status_code == 200:
                return
        except httpx.TransportError:
            pass
        await asyncio.sleep(0.025)
    raise AssertionError("the system never became ready under hypercorn")


@pytest.fixture
async def wicc(
    fresh_db: str, redis_url: str, settings_overrides: dict[str, Any]
) -> AsyncIterator[Wicc]:
    async with serve_with_hypercorn(settings_for(fresh_db, redis_url, **settings_overrides)) as w:
        yield w


async def test_hypercorn_boards_go_through_plain_asgi_sends(wicc: Wicc) -> None:
    before = await board_connections(wicc)
    async with wicc.board() as ws:
        assert (await next_frame(ws))["kind"] == "snapshot"
        during = await board_connections(wicc)
        assert (await wicc.put_beds("RNZ-AMU", occupied=12)).status_code == 200
        assert (await next_event(ws))["event"]["data"]["occupied"] == 12
    assert connection_changes(before, during) == {"frame_sink": (0, 0), "asgi_queue": (1, 1)}
    await until_board_connections_close(wicc, before)
