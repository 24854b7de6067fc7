"""The live board: snapshot, live deltas, resume with `since`, snapshot fallback."""

from __future__ import annotations

from typing import Any

import pytest

from tests.support import (
    Wicc,
    board_connections,
    connection_changes,
    next_event,
    next_frame,
    until_board_connections_close,
)
from wicc_flow.board.clients import SocketClient
from wicc_flow.state import FlowState


async def test_board_client_receives_a_bed_update(wicc: Wicc) -> None:
    async with wicc.board() as ws:
        snapshot = await next_frame(ws)
        assert snapshot["kind"] == "snapshot"
        start = snapshot["seq"]

        response = await wicc.put_beds("RNZ-AMU", core_open=30, escalation_open=4, occupied=31)
        assert response.status_code == 200, response.text

        frame = await next_event(ws)
        assert frame["seq"] > start
        event = frame["event"]
        assert event["type"] == "beds.updated"
        assert event["subject"] == "units/RNZ-AMU"
        assert event["data"]["occupied"] == 31
        assert event["data"]["open"] == 34
        assert event["data"]["org"] == "RNZ"

    board = (await wicc.client.get("/flow/v1/board", headers=wicc.auth())).json()
    assert board["seq"] == frame["seq"]
    unit = next(u for u in board["units"] if u["unit_id"] == "RNZ-AMU")
    assert (unit["core_open"], unit["escalation_open"], unit["occupied"]) == (30, 4, 31)
    rnz = next(o for o in board["orgs"] if o["org"] == "RNZ")
    assert rnz["occupied"] == 31


async def test_boards_get_their_frames_straight_to_the_socket(wicc: Wicc) -> None:
    """Served as `wicc run` serves, no board has a queue or a sender task of its own."""
    async with wicc.board() as first, wicc.board() as second:
        await next_frame(first)
        await next_frame(second)
        clients = wicc.state(FlowState).hub.clients
        assert [type(c) for c in clients] == [SocketClient, SocketClient]


async def test_board_connections_are_counted_by_the_way_their_frames_leave(wicc: Wicc) -> None:
    before = await board_connections(wicc)
    async with wicc.board() as first, wicc.board() as second:
        await next_frame(first)
        await next_frame(second)
        during = await board_connections(wicc)
    assert connection_changes(before, during) == {"frame_sink": (2, 2), "asgi_queue": (0, 0)}
    await until_board_connections_close(wicc, before)


async def test_resume_with_since_replays_exactly_the_missed_events(wicc: Wicc) -> None:
    # Critical-care beds are no OPEL input: each report brings exactly one board frame.
    async with wicc.board() as ws:
        await next_frame(ws)
        assert (await wicc.put_beds("RN3-ICU", occupied=10)).status_code == 200
        last_seen = (await next_event(ws))["seq"]

    missed = [11, 12, 13, 14]
    for occupied in missed:
        assert (await wicc.put_beds("RN3-ICU", occupied=occupied)).status_code == 200

    async with wicc.board(since=last_seen) as ws:
        frames = [await next_event(ws) for _ in missed]
        assert [f["event"]["data"]["occupied"] for f in frames] == missed
        seqs = [f["seq"] for f in frames]
        assert seqs == sorted(seqs) and seqs[0] > last_seen and len(set(seqs)) == len(seqs)

        # Nothing more than the missed events was replayed: the next frame is live.
        assert (await wicc.put_beds("RN3-ICU", occupied=15)).status_code == 200
        live = await next_event(ws)
        assert live["event"]["data"]["occupied"] == 15
        assert live["seq"] > seqs[-1]


async def test_resume_from_the_current_seq_gets_no_backlog(wicc: Wicc) -> None:
    # Critical-care beds are no OPEL input: each report brings exactly one board frame.
    assert (await wicc.put_beds("RD1-ICU", occupied=5)).status_code == 200
    seq = await _board_seq_after_events(wicc, 1)
    async with wicc.board(since=seq) as ws:
        assert (await wicc.put_beds("RD1-ICU", occupied=6)).status_code == 200
        frame = await next_event(ws)
        assert frame["event"]["data"]["occupied"] == 6


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"board_history": 10}


async def test_since_older_than_the_history_gets_a_fresh_snapshot(wicc: Wicc) -> None:
    for occupied in range(15):
        assert (await wicc.put_beds("RNZ-MED-A", occupied=occupied)).status_code == 200
    await _board_seq_after_events(wicc, 15)
    async with wicc.board(since=1) as ws:
        frame = await next_frame(ws)
        assert frame["kind"] == "snapshot"
        unit = next(u for u in frame["units"] if u["unit_id"] == "RNZ-MED-A")
        assert unit["occupied"] == 14


async def test_since_ahead_of_the_log_gets_a_fresh_snapshot(wicc: Wicc) -> None:
    async with wicc.board(since=10_000) as ws:
        assert (await next_frame(ws))["kind"] == "snapshot"


async def test_board_requires_a_key(wicc: Wicc) -> None:
    response = await wicc.client.get("/flow/v1/board")
    assert response.status_code == 401
    assert response.headers["content-type"] == "application/problem+json"


async def _board_seq_after_events(wicc: Wicc, count: int) -> int:
    """Wait until the hub has applied `count` events; return its seq."""
    import asyncio

    for _ in range(200):
        board = (await wicc.client.get("/flow/v1/board", headers=wicc.auth())).json()
        if board["seq"] >= count:
            seq: int = board["seq"]
            return seq
        await asyncio.sleep(0.05)
    raise AssertionError("the board never caught up")
