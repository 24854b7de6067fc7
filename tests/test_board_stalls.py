"""The board hub on its own: the stall watch, and the cached snapshot's freshness."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis

from tests.test_projection import _dom_care
from wicc_flow.board.hub import BoardHub
from wicc_shared.events.stream import EventStream


def _hub(redis_url: str) -> BoardHub:
    # The stall watch never reads the log; the stream is only the hub's constructor need.
    stream = EventStream(Redis.from_url(redis_url), "wicc:test:stalls", maxlen=100)
    return BoardHub(stream, history=10, client_queue=4)


async def test_only_a_send_older_than_the_timeout_is_dropped(redis_url: str) -> None:
    hub = _hub(redis_url)
    idle, sending, stalled = hub.connect(None), hub.connect(None), hub.connect(None)
    sending.sending_since = 100.0
    stalled.sending_since = 89.0

    assert hub.drop_stalled(now=100.5, send_timeout=10.0) == 1

    assert stalled.dropped == "send_stalled"
    assert hub.clients == {idle, sending}
    assert idle.dropped is None and sending.dropped is None


async def test_a_send_exactly_at_the_timeout_is_not_yet_stalled(redis_url: str) -> None:
    hub = _hub(redis_url)
    client = hub.connect(None)
    client.sending_since = 90.0

    assert hub.drop_stalled(now=100.0, send_timeout=10.0) == 0
    assert hub.clients == {client}


async def test_a_cached_snapshot_shows_a_care_figure_turning_stale(redis_url: str) -> None:
    """No event arrives when a figure ages past its limit: the snapshot must still flip."""
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    stream = EventStream(Redis.from_url(redis_url), "wicc:test:snapshot", maxlen=100)
    hub = BoardHub(
        stream,
        history=10,
        client_queue=4,
        care_freshness_hours={"dom_care": 2},  # the settings, not the event's 24 h
        clock=lambda: now,
    )
    event = _dom_care("CP-1", ["north"], starts=3, spare=40.0, as_of=now, hours=24.0)
    await hub.ingest([event.model_copy(update={"seq": 1})])

    def stale() -> bool:
        frame = json.loads(hub.snapshot_frame())
        return bool(frame["care"]["providers"][0]["stale"])

    assert stale() is False
    now += timedelta(hours=2, minutes=1)
    assert stale() is True
