"""Board WebSocket authentication, and the hub's picture surviving a restart."""

from __future__ import annotations

import asyncio

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.support import ADMIN_TOKEN, Wicc, next_frame, serve, settings_for
from wicc_flow.board.checkpoint import save_checkpoint
from wicc_flow.state import FlowState


async def test_socket_without_a_key_is_refused_with_401(wicc: Wicc) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(wicc.ws_url):
            pass
    assert refused.value.response.status_code == 401


async def test_socket_with_a_revoked_or_unknown_token_is_refused(wicc: Wicc) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(wicc.ws_url + "?token=wicc_nope"):
            pass
    assert refused.value.response.status_code == 401


async def test_browsers_may_pass_the_token_as_a_query_parameter(wicc: Wicc) -> None:
    viewer = await wicc.key("viewer", system="wiltshire")
    async with connect(f"{wicc.ws_url}?token={viewer}") as ws:
        assert (await next_frame(ws))["kind"] == "snapshot"


async def test_the_board_picture_survives_a_restart(fresh_db: str, redis_url: str) -> None:
    settings = settings_for(fresh_db, redis_url)
    async with serve(settings) as first:
        # Critical-care beds are no OPEL input: the report brings one board frame.
        assert (await first.put_beds("RNZ-ICU", occupied=17)).status_code == 200
        hub = first.state(FlowState).hub
        for _ in range(100):
            if hub.seq:
                break
            await asyncio.sleep(0.05)
        await save_checkpoint(first.runtime.sessions, hub)
        seq = hub.seq
        # Empty the log, so only the checkpoint can bring the picture back.
        await first.runtime.redis.xtrim(settings.event_stream, maxlen=0)

    # Same database and event log, new process: it starts from the checkpoint.
    async with serve(settings) as second:
        board = (await second.client.get("/flow/v1/board", headers=second.auth())).json()
        assert board["seq"] >= seq
        unit = next(u for u in board["units"] if u["unit_id"] == "RNZ-ICU")
        assert unit["occupied"] == 17
        async with connect(second.ws_url + f"?since={seq}&token={ADMIN_TOKEN}") as ws:
            assert (await second.put_beds("RNZ-ICU", occupied=18)).status_code == 200
            frame = await next_frame(ws)
            assert frame["kind"] == "event"
            assert frame["event"]["data"]["occupied"] == 18


async def test_a_non_numeric_since_is_refused_with_422(wicc: Wicc) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(wicc.ws_url + f"?since=yesterday&token={ADMIN_TOKEN}"):
            pass
    assert refused.value.response.status_code == 422


async def test_as_of_is_echoed_in_utc_whatever_offset_was_sent(wicc: Wicc) -> None:
    response = await wicc.put_beds("RNZ-AMU", as_of="2026-06-01T09:00:00+01:00")
    assert response.status_code == 200
    assert response.json()["as_of"] == "2026-06-01T08:00:00Z"
