"""Nothing accepted is lost when Redis is down; a stalled board never delays others."""

from __future__ import annotations

import asyncio
import contextlib
import socket
import time
from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import text

from tests.support import Wicc, next_event, next_frame, serve, settings_for
from wicc_flow.board.frame_sink import PROTOCOL_PATH
from wicc_flow.state import FlowState
from wicc_shared.embedded import EmbeddedRedis
from wicc_shared.events.envelope import Event


async def test_bed_updates_accepted_while_redis_is_down_all_reach_the_board(
    fresh_db: str, private_redis: EmbeddedRedis
) -> None:
    async with serve(settings_for(fresh_db, private_redis.url)) as wicc, wicc.board() as ws:
        await next_frame(ws)
        private_redis.stop()

        readiness = await wicc.client.get("/capacity/readyz")
        assert readiness.status_code == 503
        assert readiness.json()["checks"]["redis"] != "ok"

        now = datetime.now(UTC)
        sent = list(range(1, 8))
        for i, occupied in enumerate(sent):
            response = await wicc.put_beds(
                "RNZ-AMU", occupied=occupied, as_of=now - timedelta(minutes=30 - i)
            )
            assert response.status_code == 200, response.text

        private_redis.start()
        frames = [await next_event(ws, timeout=30) for _ in sent]
        assert [f["event"]["data"]["occupied"] for f in frames] == sent
        assert [f["seq"] for f in frames] == sorted(f["seq"] for f in frames)

        assert (await wicc.client.get("/capacity/readyz")).status_code == 200
        board = (await wicc.client.get("/flow/v1/board", headers=wicc.auth())).json()
        unit = next(u for u in board["units"] if u["unit_id"] == "RNZ-AMU")
        assert unit["occupied"] == sent[-1]


# Both ways frames leave: straight to the socket (as `wicc run` serves) and through
# plain ASGI sends (any other server).
BOTH_WEBSOCKET_PATHS = pytest.mark.parametrize(
    "ws_protocol", [PROTOCOL_PATH, "websockets-sansio"], ids=["frame-sink", "plain-asgi"]
)


@BOTH_WEBSOCKET_PATHS
async def test_a_stalled_board_client_is_dropped_and_does_not_delay_others(
    fresh_db: str, redis_url: str, ws_protocol: str
) -> None:
    # A long send timeout: were the fast client held up by the stalled one, it would
    # wait that long; a busy shared machine can take seconds to move 12 MB of frames.
    settings = settings_for(
        fresh_db, redis_url, board_client_queue=8, board_send_timeout_seconds=10.0
    )
    async with serve(settings, uvicorn_overrides={"ws": ws_protocol}) as wicc:
        stalled = await asyncio.to_thread(_stalled_client, wicc.base_url)
        try:
            async with wicc.board() as fast:
                await next_frame(fast)
                await _wait_for_clients(wicc, 2)
                # Big frames fill the stalled client's socket buffers quickly.
                events = [_big_event(i) for i in range(200)]
                started = time.monotonic()
                await wicc.runtime.stream.publish(events)
                received = [await next_event(fast) for _ in events]
                elapsed = time.monotonic() - started

                assert [f["event"]["data"]["occupied"] for f in received] == list(range(200))
                # Generous bound: the point is it is not held up for the send timeout.
                assert elapsed < settings.board_send_timeout_seconds
                await _wait_for_clients(wicc, 1)
                metrics = (await wicc.client.get("/flow/metrics")).text
                assert (
                    'wicc_board_clients_dropped_total{reason="queue_full"}' in metrics
                    or 'wicc_board_clients_dropped_total{reason="send_stalled"}' in metrics
                )
        finally:
            stalled.close()


async def test_a_dropped_client_that_never_reads_is_cut_off(fresh_db: str, redis_url: str) -> None:
    """Its close frame cannot even be written: the connection is aborted, so a dead
    peer holds no socket and no buffer on the server."""
    settings = settings_for(
        fresh_db, redis_url, board_client_queue=4, board_send_timeout_seconds=1.0
    )
    async with serve(settings) as wicc:
        stalled = await asyncio.to_thread(_stalled_client, wicc.base_url)
        try:
            await _wait_for_clients(wicc, 1)
            await wicc.runtime.stream.publish([_big_event(i) for i in range(200)])
            await _wait_for_clients(wicc, 0)
            # uvicorn alone would wait 10 s (its close timeout) and then still flush politely.
            assert await asyncio.to_thread(_closed_by_server, stalled, 5.0)
        finally:
            stalled.close()


def _closed_by_server(sock: socket.socket, within: float) -> bool:
    """Read (and discard) until the server ends the connection; False on timeout."""
    sock.settimeout(within)
    try:
        while sock.recv(1 << 20):
            pass
    except ConnectionResetError:
        return True
    except TimeoutError:
        return False
    return True


async def _wait_for_clients(wicc: Wicc, count: int) -> None:
    hub = wicc.state(FlowState).hub
    for _ in range(300):
        if len(hub.clients) == count:
            return
        await asyncio.sleep(0.05)
    raise AssertionError(f"expected {count} board clients, have {len(hub.clients)}")


def _stalled_client(base_url: str) -> socket.socket:
    """A WebSocket client that completes the handshake and then never reads."""
    host, port = base_url.removeprefix("http://").split(":")
    sock = socket.socket()
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_RCVBUF, 4096)
    sock.connect((host, int(port)))
    sock.sendall(
        f"GET /flow/v1/board/ws HTTP/1.1\r\nHost: {host}\r\nUpgrade: websocket\r\n"
        "Connection: Upgrade\r\nSec-WebSocket-Key: dGhlIHNhbXBsZSBub25jZQ==\r\n"
        "Sec-WebSocket-Version: 13\r\n"
        "Authorization: Bearer test-admin-token-xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\r\n\r\n".encode()
    )
    assert b"101" in sock.recv(12)
    return sock


def _big_event(i: int) -> Event:
    data = {
        "unit_id": "RNZ-AMU",
        "org": "RNZ",
        "bed_area": "adult_ga",
        "open": 30,
        "escalation_open": 0,
        "occupied": i,
        "available": 30 - i,
        "closed_total": 0,
        "as_of": datetime.now(UTC).isoformat(),
        "note": "x" * 64_000,
    }
    return Event(type="beds.updated", source="/capacity", subject="units/RNZ-AMU", data=data)


@BOTH_WEBSOCKET_PATHS
async def test_a_dropped_client_is_told_its_own_resume_point(
    fresh_db: str, redis_url: str, ws_protocol: str
) -> None:
    from websockets.asyncio.client import connect
    from websockets.exceptions import ConnectionClosed

    settings = settings_for(
        fresh_db, redis_url, board_client_queue=4, board_send_timeout_seconds=0.5
    )
    async with serve(settings, uvicorn_overrides={"ws": ws_protocol}) as wicc:
        async with connect(
            wicc.ws_url, additional_headers=wicc.auth(), max_size=None, max_queue=1
        ) as slow:
            snapshot = await next_frame(slow)
            # Stop reading: flood it until the server gives up on this client.
            await wicc.runtime.stream.publish([_big_event(i) for i in range(300)])
            await _wait_for_clients(wicc, 0)
            received = [snapshot]
            with contextlib.suppress(ConnectionClosed, TimeoutError):
                while True:
                    received.append(await next_frame(slow, timeout=5))
            code, reason = slow.close_code, slow.close_reason
        assert code == 1013
        # It resumes from the last frame it actually got, not the hub's position.
        assert f"since={received[-1]['seq']}" in (reason or "")


async def test_requests_recover_after_the_database_drops_every_connection(
    fresh_db: str, redis_url: str
) -> None:
    async with serve(settings_for(fresh_db, redis_url)) as wicc:
        assert (
            await wicc.client.get("/capacity/v1/orgs/RNZ", headers=wicc.auth())
        ).status_code == 200
        # What a PostgreSQL restart does to the pooled connections.
        async with wicc.runtime.engine.connect() as conn:
            await conn.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = current_database() AND pid <> pg_backend_pid()"
                )
            )

        async def status() -> int:
            return (await wicc.client.get("/capacity/v1/orgs/RNZ", headers=wicc.auth())).status_code

        # At once, so some requests meet a connection mid-way through being dropped.
        during = await asyncio.gather(*(status() for _ in range(8)))
        after = [await status() for _ in range(3)]
        # Connections are not pinged before use: a request on a dead one gets a
        # retryable 503 (never a 500), and the pool then replaces the old connections.
        assert set(during) <= {200, 503}
        assert after == [200, 200, 200]
