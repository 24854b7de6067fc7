"""The board hub: one reader of the event log fanning out to many WebSockets.

Each event is serialised and encoded once into the frame every client gets.
Each client may fall only so far behind (`client_queue` frames); a client that
falls further, or whose sends stall, is dropped (it reconnects with `since`) so
it never delays the others. Recent frames are kept so a reconnecting client gets
exactly what it missed.
"""

from __future__ import annotations

import asyncio
import json
import logging
from collections import OrderedDict, deque
from collections.abc import Callable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from redis.exceptions import RedisError

from wicc_flow.board.clients import BoardClient, BoardFrame
from wicc_flow.board.projection import BOARD_EVENT_TYPES, BoardProjection
from wicc_shared.events.envelope import Event
from wicc_shared.events.stream import EventStream
from wicc_shared.metrics import BOARD_CLIENTS, BOARD_DROPPED, BOARD_SEQ

logger = logging.getLogger(__name__)
RECENT_IDS = 50_000
READ_BLOCK_MS = 5_000
# A page takes its clock from the snapshot's `generated_at` to age every figure: a
# snapshot kept through a quiet hour would make every age an hour too young.
SNAPSHOT_REUSE = timedelta(seconds=1)


class BoardHub:
    def __init__(
        self,
        stream: EventStream,
        *,
        history: int,
        client_queue: int,
        care_freshness_hours: Mapping[str, float] | None = None,
        clock: Callable[[], datetime] = lambda: datetime.now(UTC),
    ) -> None:
        self.stream = stream
        self.care_freshness_hours = care_freshness_hours
        self.clock = clock
        self.projection = BoardProjection(care_freshness_hours=care_freshness_hours)
        self.seq = 0
        self.client_queue = client_queue
        self.history: deque[BoardFrame] = deque(maxlen=history)
        self.history_floor = 0  # every board frame after this seq is in `history`
        self.clients: set[BoardClient] = set()
        self._recent_ids: OrderedDict[str, None] = OrderedDict()
        # (frame, good until): a snapshot changes with the next event, or when a care
        # figure in it turns stale.
        self._snapshot_cache: tuple[BoardFrame, datetime | None] | None = None
        # False until the checkpoint is restored: a board served before that would
        # show a picture that later jumps.
        self.ready = False
        self.caught_up = asyncio.Event()
        self.read_batch = max(1, min(500, client_queue))

    def restore(self, seq: int, state: dict[str, Any]) -> None:
        self.projection = BoardProjection(state, care_freshness_hours=self.care_freshness_hours)
        self.seq = self.history_floor = seq
        self.history.clear()
        self.ready = True

    # -- the log side ---------------------------------------------------------------

    async def run(self) -> None:
        backoff = 0.1
        while True:
            try:
                await self._detect_log_reset()
                while True:
                    before = self.seq
                    events, last = await self.stream.read_types_after(
                        before, BOARD_EVENT_TYPES, count=self.read_batch, block_ms=READ_BLOCK_MS
                    )
                    await self.ingest(events)
                    if last == before:  # nothing new on the log
                        self.caught_up.set()
                    # Entries of other types were skipped unparsed; the position moves on.
                    self.seq = max(self.seq, last)
                    BOARD_SEQ.set(self.seq)
                    backoff = 0.1
            except (RedisError, OSError) as exc:
                logger.warning("board hub waiting for the event log: %s", exc)
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, 5.0)

    async def _detect_log_reset(self) -> None:
        last = await self.stream.last_seq()
        if last < self.seq:
            # The log lost entries (a non-persistent Redis restarted). Keep the picture,
            # follow the new log; boards get a snapshot since their `since` is unknown.
            logger.error(
                "event log is behind the board (%s < %s): following the new log", last, self.seq
            )
            self.seq = self.history_floor = last
            self.history.clear()

    async def ingest(self, events: list[Event]) -> None:
        """Apply and fan out events in order.

        Yields to the loop after each fan-out, so healthy clients' senders drain
        between events and only a client that really falls behind overflows.
        """
        for event in events:
            assert event.seq is not None
            if event.seq <= self.seq:
                continue
            self.seq = event.seq
            if not self._first_sighting(str(event.id)) or event.type not in BOARD_EVENT_TYPES:
                continue
            self.projection.apply(event)
            text = json.dumps(
                {"kind": "event", "seq": event.seq, "event": event.model_dump(mode="json")}
            )
            frame = BoardFrame.of(event.seq, text)
            self._remember(frame)
            self._fan_out(frame)
            await asyncio.sleep(0)
        BOARD_SEQ.set(self.seq)

    def _first_sighting(self, event_id: str) -> bool:
        """The relay may publish an event twice after a crash; show it once."""
        if event_id in self._recent_ids:
            return False
        self._recent_ids[event_id] = None
        if len(self._recent_ids) > RECENT_IDS:
            self._recent_ids.popitem(last=False)
        return True

    def _remember(self, frame: BoardFrame) -> None:
        if len(self.history) == self.history.maxlen:
            self.history_floor = self.history[0].seq
        self.history.append(frame)

    def _fan_out(self, frame: BoardFrame) -> None:
        for client in list(self.clients):
            if not client.offer(frame):
                self.drop(client, "queue_full")

    # -- the client side ------------------------------------------------------------

    def snapshot(self, now: datetime | None = None) -> dict[str, Any]:
        now = now or self.clock()
        return {"seq": self.seq, "generated_at": now.isoformat(), **self.projection.view(now)}

    def snapshot_frame(self) -> BoardFrame:
        """The snapshot as a frame, serialised once for every client that connects
        until the next event, until a figure in it turns stale, or for a second at most
        (its `generated_at` stays within a second of the truth)."""
        now = self.clock()
        if self._snapshot_cache is not None:
            frame, good_until = self._snapshot_cache
            if frame.seq == self.seq and (good_until is None or now < good_until):
                return frame
        frame = BoardFrame.of(self.seq, json.dumps({"kind": "snapshot", **self.snapshot(now)}))
        stale_at = self.projection.next_stale_at(now)
        reuse_until = now + SNAPSHOT_REUSE
        self._snapshot_cache = (
            frame,
            reuse_until if stale_at is None else min(stale_at, reuse_until),
        )
        return frame

    def connect(self, client: BoardClient, since: int | None) -> BoardClient:
        """Register a client with its first frames already passed to it.

        No await happens between choosing the backlog and registering, so no event
        can fall between the two: no gap, no duplicate.
        """
        backlog = self._backlog(since)
        if backlog is None:
            client.offer(self.snapshot_frame())
        else:
            client.resumed = True
            for frame in backlog:
                client.offer(frame)
        self.clients.add(client)
        BOARD_CLIENTS.set(len(self.clients))
        return client

    def _backlog(self, since: int | None) -> list[BoardFrame] | None:
        if since is None or not self.history_floor <= since <= self.seq:
            return None
        backlog = [frame for frame in self.history if frame.seq > since]
        # A backlog that would not fit the queue is replaced by a fresh snapshot.
        return backlog if len(backlog) < self.client_queue else None

    def drop(self, client: BoardClient, reason: str) -> None:
        if client.dropped is None:
            client.dropped = reason
            BOARD_DROPPED.labels(reason=reason).inc()
        self.disconnect(client)
        client.stop()

    def drop_stalled(self, now: float, send_timeout: float) -> int:
        """Drop every client with a frame waiting to leave for over `send_timeout`."""
        stalled = [c for c in self.clients if c.stalled(now, send_timeout)]
        for client in stalled:
            self.drop(client, "send_stalled")
        return len(stalled)

    async def watch_stalls(self, send_timeout: float) -> None:
        """Background task: find stalled sends a few times per `send_timeout`.

        A stalled client is dropped between `send_timeout` and 1.5 x `send_timeout`
        after it fell behind; a client that stops reading altogether usually falls
        `client_queue` frames behind first and is dropped at once.
        """
        loop = asyncio.get_running_loop()
        while True:
            await asyncio.sleep(send_timeout / 4)
            self.drop_stalled(loop.time(), send_timeout)

    def disconnect(self, client: BoardClient) -> None:
        self.clients.discard(client)
        BOARD_CLIENTS.set(len(self.clients))
