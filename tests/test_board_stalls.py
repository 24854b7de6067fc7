"""The board hub's stall watch: a client whose send hangs is dropped, others stay."""

from __future__ import annotations

from redis.asyncio import Redis

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
