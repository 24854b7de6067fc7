"""The frame sink seam: its contract, uvicorn's side of it, and the fallback.

`uvicorn_frame_sink.py` subclasses a private uvicorn module. These tests fail, and
say what changed, when an installed uvicorn no longer has what the subclass uses;
they also show that `wicc run` still serves boards (the slower way) when the
subclass cannot be loaded at all.
"""

from __future__ import annotations

import asyncio
import importlib
import logging
import subprocess
import sys
from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
import uvicorn
from starlette.types import Receive, Scope, Send
from websockets.asyncio.client import connect

from tests.support import (
    _QuietServer,
    board_connections,
    connection_changes,
    next_frame,
    serve,
    settings_for,
)
from wicc_flow.board.frame_sink import (
    FRAME_SINK,
    PROTOCOL_PATH,
    UVICORN_FALLBACK_OPTIONS,
    UVICORN_WEBSOCKET_OPTIONS,
    encode_text_frame,
    frame_sink,
    uvicorn_websocket_options,
)
from wicc_shared.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
SUBCLASS_MODULE = PROTOCOL_PATH.partition(":")[0]
PRIVATE_MODULES = ("uvicorn.protocols.websockets.websockets_sansio_impl", SUBCLASS_MODULE)
UPGRADE_ADVICE = (
    "wicc_flow/board/uvicorn_frame_sink.py subclasses it: adapt the subclass to this "
    "uvicorn, or keep uvicorn at the previous version in uv.lock. Until then every "
    "board is served through plain ASGI sends."
)


class Sink:
    """Something with a sink's shape that no server made."""

    def write(self, frame: bytes) -> bool:
        return True

    def buffered_bytes(self) -> int:
        return 0

    def abort(self) -> None:
        pass


class NotASink:
    def write(self, frame: bytes) -> bool:
        return True  # but no `buffered_bytes` or `abort`


def test_a_sink_is_recognised_by_its_shape_not_its_class() -> None:
    sink = Sink()
    assert frame_sink({"extensions": {FRAME_SINK: {"sink": sink}}}) is sink
    assert frame_sink({"extensions": {FRAME_SINK: {"sink": NotASink()}}}) is None
    assert frame_sink({"extensions": {FRAME_SINK: sink}}) is None
    assert frame_sink({"extensions": {"websocket.http.response": {}}}) is None
    assert frame_sink({"extensions": None}) is None
    assert frame_sink({}) is None


def test_a_text_frame_is_one_unmasked_rfc_6455_frame() -> None:
    assert encode_text_frame("hi") == b"\x81\x02hi"  # FIN + text; no mask bit; length 2
    long = encode_text_frame("é" * 100)  # 200 bytes of UTF-8: a 16-bit length follows
    assert long[:4] == b"\x81\x7e\x00\xc8" and long[4:] == ("é" * 100).encode()


def test_missing_names_whatever_the_subclass_would_lack() -> None:
    subclass = importlib.import_module(SUBCLASS_MODULE)
    connection = SimpleNamespace(**dict.fromkeys(subclass.READS))
    assert subclass.missing(connection) == []
    del connection.close_sent
    assert subclass.missing(connection) == ["close_sent"]


@asynccontextmanager
async def tiny_server(**options: Any) -> AsyncIterator[tuple[uvicorn.Server, str]]:
    """uvicorn serving one WebSocket app: writes a frame through the sink if offered."""

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        assert scope["type"] == "websocket"
        await receive()  # websocket.connect
        await send({"type": "websocket.accept"})
        sink = frame_sink(scope)
        if sink is None:
            await send({"type": "websocket.send", "text": "no sink"})
        elif not sink.write(encode_text_frame("straight to the socket")):
            await send({"type": "websocket.send", "text": "the sink refused"})
        while (await receive())["type"] != "websocket.disconnect":
            pass

    port = free_port()
    config = uvicorn.Config(
        app, host="127.0.0.1", port=port, lifespan="off", log_level="warning", **options
    )
    server = _QuietServer(config)
    task = asyncio.create_task(server.serve())
    while not server.started:
        if task.done():
            task.result()
        await asyncio.sleep(0.02)
    try:
        yield server, f"ws://127.0.0.1:{port}/"
    finally:
        server.should_exit = True
        await asyncio.wait_for(task, timeout=20)


async def test_the_installed_uvicorn_still_has_what_the_frame_sink_relies_on() -> None:
    try:
        subclass = importlib.import_module(SUBCLASS_MODULE)
    except ImportError as exc:
        pytest.fail(
            f"uvicorn {uvicorn.__version__} lacks its sans-I/O protocol ({exc}). " + UPGRADE_ADVICE
        )
    async with tiny_server(**UVICORN_WEBSOCKET_OPTIONS) as (server, url), connect(url) as ws:
        [protocol] = [
            c
            for c in server.server_state.connections
            if isinstance(c, subclass.FrameSinkWebSocketProtocol)
        ]
        lacking = subclass.missing(protocol)
        assert not lacking, (
            f"uvicorn {uvicorn.__version__}'s WebSocketsSansIOProtocol no longer has "
            f"{', '.join(lacking)}. " + UPGRADE_ADVICE
        )
        # And what it has still works: the offer is made, the frame arrives whole.
        assert await asyncio.wait_for(ws.recv(), 10) == "straight to the socket"


async def test_a_compressed_connection_is_offered_no_sink() -> None:
    # A pre-encoded frame cannot be deflated per connection; the client asks for
    # compression (websockets does by default) and this server agrees to it.
    options = {**UVICORN_WEBSOCKET_OPTIONS, "ws_per_message_deflate": True}
    async with tiny_server(**options) as (_server, url), connect(url) as ws:
        assert await asyncio.wait_for(ws.recv(), 10) == "no sink"


def test_only_uvicorn_imports_its_private_protocol_and_only_when_it_serves() -> None:
    code = f"""
import sys
import tests.support, wicc.cli, wicc_flow.app, wicc_flow.board.socket
private = {PRIVATE_MODULES!r}
print([m for m in private if m in sys.modules])
import uvicorn
from wicc_flow.board.frame_sink import UVICORN_WEBSOCKET_OPTIONS
async def app(scope, receive, send): pass
uvicorn.Config(app, **UVICORN_WEBSOCKET_OPTIONS).load()
print([m for m in private if m in sys.modules])
"""
    run = subprocess.run(
        [sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True, check=False
    )
    assert run.returncode == 0, run.stderr
    before_serving, after_loading = run.stdout.splitlines()
    assert before_serving == "[]"
    assert after_loading == repr(list(PRIVATE_MODULES))


def test_wicc_run_uses_the_frame_sink_when_it_loads() -> None:
    assert uvicorn_websocket_options() == UVICORN_WEBSOCKET_OPTIONS


async def test_boards_are_still_served_when_the_frame_sink_cannot_load(
    fresh_db: str, redis_url: str, caplog: pytest.LogCaptureFixture
) -> None:
    # As after a uvicorn release that moved its private module.
    with caplog.at_level(logging.WARNING, logger="wicc_flow.board.frame_sink"):
        options = uvicorn_websocket_options("wicc_flow.board.no_such_module:Protocol")
    assert options == UVICORN_FALLBACK_OPTIONS
    assert "plain ASGI sends" in caplog.text

    async with serve(settings_for(fresh_db, redis_url), uvicorn_overrides=options) as wicc:
        before = await board_connections(wicc)
        async with wicc.board() as ws:
            assert (await next_frame(ws))["kind"] == "snapshot"
            during = await board_connections(wicc)
    assert connection_changes(before, during) == {"frame_sink": (0, 0), "asgi_queue": (1, 1)}
