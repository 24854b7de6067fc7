"""Test harness: real PostgreSQL and Redis, the real app served by uvicorn."""

from __future__ import annotations

import asyncio
import contextlib
import json
import uuid
from collections.abc import AsyncIterator, Iterator
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any, NamedTuple, TypeVar

import asyncpg
import httpx
import uvicorn
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import ClientConnection, connect

from wicc import migrate
from wicc.app import Settings, create_app
from wicc_flow.board.frame_sink import UVICORN_WEBSOCKET_OPTIONS
from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.embedded import free_port
from wicc_shared.kernel.reference import load_reference, read_reference_file
from wicc_shared.process import ProcessApp
from wicc_shared.runtime import Runtime

S = TypeVar("S")

ADMIN_TOKEN = "test-admin-token-" + "x" * 32
REFERENCE_FILE = Path(__file__).resolve().parent.parent / "reference" / "wiltshire.yaml"
WS_TIMEOUT = 10.0


def plain_url(url: str) -> str:
    return url.replace("postgresql+asyncpg://", "postgresql://", 1)


def database_url(base: str, name: str) -> str:
    """`base` with its database name replaced (keeps ?host=... for Unix sockets)."""
    head, _, tail = base.partition("?")
    prefix = head.rsplit("/", 1)[0]
    return f"{prefix}/{name}" + (f"?{tail}" if tail else "")


async def admin_connection(base_url: str) -> asyncpg.Connection:
    return await asyncpg.connect(plain_url(database_url(base_url, "postgres")))


async def prepare_database(url: str) -> None:
    """Build the schema by the migrations and load the demo reference data."""
    await asyncio.to_thread(migrate.upgrade, url)
    engine = create_engine(url, "wicc-tests", pool_size=1)
    async with create_sessionmaker(engine)() as session, session.begin():
        await load_reference(session, read_reference_file(REFERENCE_FILE))
    await engine.dispose()


@dataclass
class Wicc:
    """A running WICC process and a client for it."""

    base_url: str
    app: ProcessApp
    settings: Settings
    client: httpx.AsyncClient
    keys: dict[str, str] = field(default_factory=dict)

    @property
    def ws_url(self) -> str:
        return self.base_url.replace("http://", "ws://") + "/flow/v1/board/ws"

    @property
    def runtime(self) -> Runtime:
        return self.app.runtime

    def state(self, kind: type[S]) -> S:
        """A service's typed state (e.g. `FlowState`, which holds the board hub)."""
        return self.app.state(kind)

    def auth(self, token: str | None = ADMIN_TOKEN) -> dict[str, str]:
        return {"Authorization": f"Bearer {token}"} if token else {}

    async def key(self, role: str, *, org: str | None = None, system: str | None = None) -> str:
        body = {"role": role, "org": org, "system": system}
        response = await self.client.post("/flow/v1/admin/api-keys", json=body, headers=self.auth())
        assert response.status_code == 201, response.text
        token: str = response.json()["token"]
        return token

    async def put_beds(
        self, unit_id: str, token: str | None = ADMIN_TOKEN, **figures: Any
    ) -> httpx.Response:
        return await self.client.put(
            f"/capacity/v1/units/{unit_id}/beds",
            json=bed_figures(**figures),
            headers=self.auth(token),
        )

    @asynccontextmanager
    async def board(self, since: int | None = None) -> AsyncIterator[ClientConnection]:
        query = f"?since={since}" if since is not None else ""
        async with connect(
            self.ws_url + query, additional_headers=self.auth(), max_size=None
        ) as ws:
            yield ws


def bed_figures(**overrides: Any) -> dict[str, Any]:
    """A valid bed report; override any field by keyword."""
    as_of = overrides.pop("as_of", None) or datetime.now(UTC) - timedelta(minutes=1)
    body: dict[str, Any] = {
        "core_open": 20,
        "escalation_open": 2,
        "occupied": 18,
        "closed": [{"reason": "staffing", "count": 1}],
        "as_of": as_of.isoformat() if isinstance(as_of, datetime) else as_of,
    }
    body.update(overrides)
    return body


async def next_frame(ws: ClientConnection, timeout: float = WS_TIMEOUT) -> dict[str, Any]:
    frame: dict[str, Any] = json.loads(await asyncio.wait_for(ws.recv(), timeout))
    return frame


async def next_event(ws: ClientConnection, timeout: float = WS_TIMEOUT) -> dict[str, Any]:
    frame = await next_frame(ws, timeout)
    assert frame["kind"] == "event", frame
    return frame


BOARD_PATHS = ("frame_sink", "asgi_queue")  # the `path` label of the board's metrics


class BoardConnections(NamedTuple):
    served: float  # connections served so far (the process's, across tests)
    open: float  # open now


async def board_connections(wicc: Wicc) -> dict[str, BoardConnections]:
    """Board connections by the way their frames leave, as `/flow/metrics` shows them."""
    response = await wicc.client.get("/flow/metrics")
    assert response.status_code == 200, response.text
    values = {
        (sample.name, sample.labels.get("path")): float(sample.value)
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
    }
    return {
        path: BoardConnections(
            served=values.get(("wicc_board_connections_total", path), 0.0),
            open=values.get(("wicc_board_connections_open", path), 0.0),
        )
        for path in BOARD_PATHS
    }


def connection_changes(
    before: dict[str, BoardConnections], after: dict[str, BoardConnections]
) -> dict[str, tuple[float, float]]:
    """(served, open) added between two readings, by path. Metrics are per process and
    tests share the process, so tests compare readings rather than absolute values."""
    return {
        path: (after[path].served - before[path].served, after[path].open - before[path].open)
        for path in BOARD_PATHS
    }


async def until_board_connections_close(wicc: Wicc, before: dict[str, BoardConnections]) -> None:
    """Wait until the open connections are back to `before` (the server notices a
    client's close a moment after the client)."""
    for _ in range(200):
        now = await board_connections(wicc)
        if all(now[path].open == before[path].open for path in BOARD_PATHS):
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"board connections still open: {now} (were {before})")


class _QuietServer(uvicorn.Server):
    """Leaves signals alone, so a test run can always be interrupted or killed."""

    @contextlib.contextmanager
    def capture_signals(self) -> Iterator[None]:
        yield


@asynccontextmanager
async def serve(
    settings: Settings,
    *,
    wait_ready: bool = True,
    uvicorn_overrides: dict[str, Any] | None = None,
) -> AsyncIterator[Wicc]:
    """Run the whole system (all three services) on a free port, served as `wicc run`
    serves it unless `uvicorn_overrides` say otherwise."""
    port = free_port()
    app = create_app(settings)
    # The frame sink's options as they are, not `uvicorn_websocket_options()`: were the
    # protocol unusable, the suite must fail instead of quietly testing the fallback.
    options: dict[str, Any] = {**UVICORN_WEBSOCKET_OPTIONS, **(uvicorn_overrides or {})}
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, log_level="warning", lifespan="on", **options
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    base = f"http://127.0.0.1:{port}"
    try:
        async with httpx.AsyncClient(base_url=base, timeout=20) as client:
            if wait_ready:
                await _until_ready(client)
            yield Wicc(base_url=base, app=app, settings=settings, client=client)
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=20)


async def _until_ready(client: httpx.AsyncClient) -> None:
    for _ in range(400):
        if (await client.get("/flow/readyz")).status_code == 200:
            return
        await asyncio.sleep(0.025)
    raise AssertionError("the system never became ready")


def settings_for(database_url: str, redis_url: str, **overrides: Any) -> Settings:
    values: dict[str, Any] = dict(
        env="test",
        database_url=database_url,
        redis_url=redis_url,
        admin_token=ADMIN_TOKEN,
        event_stream=f"wicc:test:{uuid.uuid4().hex[:12]}",
        outbox_poll_seconds=0.2,
        log_level="WARNING",
    )
    values.update(overrides)
    return Settings(**values)


# --- helpers for tests of any service --------------------------------------------------

PROBLEM = "application/problem+json"


def at(when: datetime) -> Any:
    return lambda: when


def set_clock(wicc: Wicc, when: datetime) -> None:
    """Move the running system's clock to `when` (tests move time instead of sleeping)."""
    wicc.runtime.clock = at(when)


async def fetch(wicc: Wicc, sql: str, *args: Any) -> list[asyncpg.Record]:
    """Rows of a query against the system's database, on a connection of their own."""
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def count(wicc: Wicc, sql: str, *args: Any) -> int:
    rows = await fetch(wicc, sql, *args)
    return int(rows[0][0])


def field_names(response: httpx.Response) -> set[str]:
    """The fields a problem+json response names."""
    assert response.headers["content-type"] == PROBLEM, response.text
    return {e["field"] for e in response.json()["errors"]}


async def events_of(wicc: Wicc, type_: str, expected: int, timeout: float = 10.0) -> list[Any]:
    """Events of one type on the stream, polling (bounded) until `expected` arrived."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [e for e in await wicc.runtime.stream.read_after(0) if e.type == type_]
        if len(found) >= expected or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)
