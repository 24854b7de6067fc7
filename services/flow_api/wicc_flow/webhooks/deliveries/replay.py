"""Reading the event log back for a replay.

The flow service reads no other service's tables, so a replay reads the event log
itself (the Redis stream): every event after a sequence number, or from a time. The
log keeps the last `WICC_STREAM_MAXLEN` events (about), so a replay can reach only as
far back as that. When events after `since` have already been trimmed, the replay is
refused rather than quietly sending less than was asked (`ReplayTooOld`, with the
oldest sequence still there), so nobody believes a gap was filled.

A time is turned into a sequence number by a binary search over the log, which is in
publication order: the first event whose `time` is at or after it. An event's `time`
is when its write was made; one that waited in an outbox while Redis was down is
published after later ones, so for an exact starting point give a sequence number.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime
from typing import cast

from wicc_shared.errors import Conflict
from wicc_shared.events.envelope import Event, seq_of, stream_id
from wicc_shared.events.stream import EventStream, StreamEntry

READ_BATCH = 1_000


class ReplayTooOld(Conflict):
    slug, title = "replay-too-old", "The event log no longer holds everything asked for"


@dataclass(frozen=True)
class Window:
    """The log's retained entries: sequence numbers `first` to `last` (0, 0 when empty)."""

    first: int
    last: int


async def window(stream: EventStream) -> Window:
    last = await stream.last_seq()
    entries = cast(list[StreamEntry], await stream.redis.xrange(stream.name, count=1))
    first = seq_of(entries[0][0]) if entries else last + 1
    return Window(first=first, last=last)


def check_reachable(since: int, log: Window) -> None:
    """Refuse a replay whose events are partly trimmed away (the log starts at 1)."""
    if since + 1 < log.first and log.first > 1:
        raise ReplayTooOld(
            f"The event log now starts at sequence {log.first}; events {since + 1} to "
            f"{log.first - 1} are no longer kept. Replay from since={log.first - 1} to "
            "re-send what is left.",
            oldest_seq=log.first,
        )


async def seq_before(stream: EventStream, moment: datetime, log: Window) -> int:
    """The sequence just before the first retained event whose `time` is at or after
    `moment` (so a replay `since` it starts there)."""
    if log.first > log.last:
        return log.last
    first_event = await _event_at_or_after(stream, log.first)
    if first_event is not None and first_event.time > moment and log.first > 1:
        raise ReplayTooOld(
            f"The event log now starts at {first_event.time.isoformat()} (sequence "
            f"{log.first}); older events are no longer kept. Replay from "
            f"since={log.first - 1} to re-send what is left.",
            oldest_seq=log.first,
        )
    low, high = log.first, log.last + 1  # the answer is in [low, high]
    while low < high:
        middle = (low + high) // 2
        event = await _event_at_or_after(stream, middle)
        if event is None or event.time >= moment:
            high = middle if event is None else min(middle, event.seq or middle)
        else:
            low = (event.seq or middle) + 1
    return low - 1


async def _event_at_or_after(stream: EventStream, seq: int) -> Event | None:
    entries = cast(
        list[StreamEntry], await stream.redis.xrange(stream.name, min=stream_id(seq), count=1)
    )
    if not entries:
        return None
    entry_id, fields = entries[0]
    return Event.from_stream(entry_id, fields[b"e"])


@dataclass(frozen=True)
class Scan:
    events: list[Event]
    last_seq: int  # the last sequence examined
    complete: bool  # the end of the log was reached


async def matching(
    stream: EventStream,
    since: int,
    types: frozenset[str],
    wanted: Callable[[Event], bool],
    *,
    limit: int,
) -> Scan:
    """Events after `since` of these types that `wanted` keeps, oldest first, up to
    `limit` of them. Entries of other types are skipped without being parsed."""
    found: list[Event] = []
    seq = since
    while len(found) < limit:
        events, last = await stream.read_types_after(seq, types, count=READ_BATCH)
        if last == seq:
            return Scan(found, seq, complete=True)
        for event in events:
            if wanted(event):
                found.append(event)
                if len(found) == limit:
                    return Scan(found, event.seq or last, complete=False)
        seq = last
    return Scan(found, seq, complete=False)
