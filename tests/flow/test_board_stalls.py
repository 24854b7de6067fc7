"""The board hub on its own: how far a client may fall behind, the stall watch, and
the cached snapshot's freshness."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta

from redis.asyncio import Redis
from starlette.types import Message

from tests.builders.events import beds_updated, dom_care_updated
from wicc_flow.board.clients import BoardFrame, QueuedClient, SocketClient
from wicc_flow.board.hub import BoardHub
from wicc_shared.events.stream import EventStream


def _hub(redis_url: str, client_queue: int = 4) -> BoardHub:
    # These tests never read the log; the stream is only the hub's constructor need.
    stream = EventStream(Redis.from_url(redis_url), "wicc:test:stalls", maxlen=100)
    return BoardHub(stream, history=10, client_queue=client_queue)


class PeerSocket:
    """The connection as a `SocketClient` sees it: what was written, and how many
    bytes the kernel has not taken yet. A peer that stops reading leaves every new
    frame in the buffer; the test sets `buffered` for anything in between."""

    def __init__(self) -> None:
        self.frames: list[bytes] = []
        self.buffered = 0
        self.reading = True
        self.open = True
        self.aborted = False

    def write(self, frame: bytes) -> bool:
        if self.open:
            self.frames.append(frame)
            if not self.reading:
                self.buffered += len(frame)
        return self.open

    def buffered_bytes(self) -> int:
        return self.buffered

    def abort(self) -> None:
        self.aborted = True


async def _send_nothing(message: Message) -> None:
    raise AssertionError("these tests never start the sender")


def _frame(seq: int) -> BoardFrame:
    return BoardFrame.of(seq, json.dumps({"kind": "event", "seq": seq}))


async def test_a_frame_is_encoded_once_as_a_whole_text_frame() -> None:
    frame = _frame(7)
    assert frame.wire[0] == 0x81  # FIN + text opcode
    assert frame.wire[1] == len(frame.text)  # unmasked, short length
    assert frame.wire[2:].decode() == frame.text


async def test_an_event_is_serialised_once_and_the_same_bytes_go_to_every_client(
    redis_url: str,
) -> None:
    hub = _hub(redis_url)
    peers = [PeerSocket() for _ in range(3)]
    for peer in peers:
        hub.connect(SocketClient(peer, hub.client_queue), None)
    event = dom_care_updated("CP-1", ["north"], starts=3, spare=40.0, as_of=datetime.now(UTC))

    await hub.ingest([event.model_copy(update={"seq": 1})])

    sent = [peer.frames[1] for peer in peers]  # each peer's frame after its snapshot
    frame = hub.history[-1]
    assert all(wire is frame.wire for wire in sent)  # one object, not copies
    assert sent[0].endswith(frame.text.encode()) and json.loads(frame.text)["seq"] == 1


async def test_a_socket_client_gets_its_snapshot_then_each_frame_in_order(
    redis_url: str,
) -> None:
    hub = _hub(redis_url)
    peer = PeerSocket()
    client = hub.connect(SocketClient(peer, hub.client_queue), None)

    for seq in (1, 2, 3):
        hub._fan_out(_frame(seq))

    assert json.loads(peer.frames[0][2:])["kind"] == "snapshot"
    assert [json.loads(f[2:])["seq"] for f in peer.frames[1:]] == [1, 2, 3]
    assert client.delivered_seq == 3


async def test_a_socket_client_too_far_behind_is_dropped_and_the_others_are_not(
    redis_url: str,
) -> None:
    hub = _hub(redis_url, client_queue=4)
    slow_peer, fast_peer = PeerSocket(), PeerSocket()
    slow = hub.connect(SocketClient(slow_peer, 4), None)
    fast = hub.connect(SocketClient(fast_peer, 4), None)
    slow_peer.reading = False  # it took its snapshot, then nothing more

    for seq in range(1, 11):
        hub._fan_out(_frame(seq))

    assert slow.dropped == "queue_full" and slow.done.done()
    # Frames 1-4 wait in its buffer, so frame 5 found it four frames behind.
    assert slow.delivered_seq == 4
    assert hub.clients == {fast}
    assert len(fast_peer.frames) == 11 and fast.dropped is None


async def test_a_socket_client_always_a_little_behind_but_reading_is_kept(
    redis_url: str,
) -> None:
    """Under a steady flood the buffer may never empty; only the frames still in it
    count, not every frame written since it was last empty."""
    hub = _hub(redis_url, client_queue=2)
    peer = PeerSocket()
    client = hub.connect(SocketClient(peer, 2), None)
    for seq in range(1, 50):
        peer.buffered = 10  # the tail of the last frame is still on its way
        hub._fan_out(_frame(seq))
    assert client.dropped is None and client.delivered_seq == 49


async def test_a_socket_client_behind_at_every_look_past_the_timeout_is_dropped(
    redis_url: str,
) -> None:
    hub = _hub(redis_url)
    stuck_peer, recovering_peer = PeerSocket(), PeerSocket()
    stuck = hub.connect(SocketClient(stuck_peer, 4), None)
    recovering = hub.connect(SocketClient(recovering_peer, 4), None)
    stuck_peer.buffered = recovering_peer.buffered = 10

    assert hub.drop_stalled(now=100.0, send_timeout=10.0) == 0  # first seen behind
    recovering_peer.buffered = 0
    assert hub.drop_stalled(now=105.0, send_timeout=10.0) == 0
    recovering_peer.buffered = 10  # behind again: its clock starts afresh
    assert hub.drop_stalled(now=110.0, send_timeout=10.0) == 0
    assert hub.drop_stalled(now=110.5, send_timeout=10.0) == 1

    assert stuck.dropped == "send_stalled"
    assert hub.clients == {recovering}


async def test_a_queued_client_is_dropped_only_for_a_send_older_than_the_timeout(
    redis_url: str,
) -> None:
    hub = _hub(redis_url)
    idle, sending, stalled = (
        hub.connect(QueuedClient(_send_nothing, hub.client_queue), None) for _ in range(3)
    )
    assert isinstance(sending, QueuedClient) and isinstance(stalled, QueuedClient)
    sending.sending_since = 100.0
    stalled.sending_since = 89.0

    assert hub.drop_stalled(now=100.5, send_timeout=10.0) == 1

    assert stalled.dropped == "send_stalled"
    assert hub.clients == {idle, sending}
    assert idle.dropped is None and sending.dropped is None


async def test_a_queued_send_exactly_at_the_timeout_is_not_yet_stalled(redis_url: str) -> None:
    hub = _hub(redis_url)
    client = QueuedClient(_send_nothing, hub.client_queue)
    hub.connect(client, None)
    client.sending_since = 90.0

    assert hub.drop_stalled(now=100.0, send_timeout=10.0) == 0
    assert hub.clients == {client}


async def test_a_queued_client_with_a_full_queue_is_dropped(redis_url: str) -> None:
    hub = _hub(redis_url, client_queue=3)
    client = hub.connect(QueuedClient(_send_nothing, 3), None)  # the snapshot: 1 of 3
    hub._fan_out(_frame(1))
    hub._fan_out(_frame(2))
    assert client.dropped is None
    hub._fan_out(_frame(3))
    assert client.dropped == "queue_full" and not hub.clients


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
    event = dom_care_updated("CP-1", ["north"], starts=3, spare=40.0, as_of=now, hours=24.0)
    await hub.ingest([event.model_copy(update={"seq": 1})])

    def stale() -> bool:
        frame = json.loads(hub.snapshot_frame().text)
        return bool(frame["care"]["providers"][0]["stale"])

    assert stale() is False
    now += timedelta(hours=2, minutes=1)
    assert stale() is True


async def test_a_cached_snapshot_shows_a_unit_figure_turning_stale(redis_url: str) -> None:
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    stream = EventStream(Redis.from_url(redis_url), "wicc:test:snapshot", maxlen=100)
    hub = BoardHub(stream, history=10, client_queue=4, clock=lambda: now)
    event = beds_updated("U1", "AAA", open_=10, occupied=5, as_of=now)
    await hub.ingest([event.model_copy(update={"seq": 1})])

    def stale() -> bool:
        return bool(json.loads(hub.snapshot_frame().text)["units"][0]["stale"])

    assert stale() is False
    now += timedelta(hours=24, minutes=1)  # no event: only the clock moved
    assert stale() is True


async def test_a_snapshot_kept_through_a_quiet_spell_still_tells_the_time(redis_url: str) -> None:
    """Pages age every figure from `generated_at`: a snapshot reused without an event
    for an hour must not say it was made an hour ago."""
    now = datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
    stream = EventStream(Redis.from_url(redis_url), "wicc:test:snapshot", maxlen=100)
    hub = BoardHub(stream, history=10, client_queue=4, clock=lambda: now)
    await hub.ingest(
        [beds_updated("U1", "AAA", open_=10, occupied=5, as_of=now).model_copy(update={"seq": 1})]
    )

    def generated_at() -> datetime:
        return datetime.fromisoformat(json.loads(hub.snapshot_frame().text)["generated_at"])

    assert generated_at() == now
    now += timedelta(hours=1)  # fresh for a day yet: nothing turns stale meanwhile
    assert generated_at() == now
