"""The board's picture built on demand, for a process without a board hub (the worker,
the command line): the latest checkpoint, then the event log from its `seq` to the end.

A hub keeps its picture in memory and checkpoints it every few seconds, so the replay
after a checkpoint is short. Everything the board shows is replayed the same way the
hub applies it, so a picture built here is the board's picture at the log's end.
"""

from __future__ import annotations

from collections.abc import Mapping

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.board.models import BoardCheckpoint
from wicc_flow.board.projection import BOARD_EVENT_TYPES, BoardProjection
from wicc_shared.events.stream import EventStream

READ_BATCH = 2_000


async def current_projection(
    session: AsyncSession,
    stream: EventStream,
    *,
    care_freshness_hours: Mapping[str, float] | None = None,
) -> tuple[BoardProjection, int]:
    """The board's picture at the end of the log, and the `seq` it reflects."""
    checkpoint = await session.get(BoardCheckpoint, 1)
    seq, state = (checkpoint.seq, checkpoint.state) if checkpoint else (0, {})
    projection = BoardProjection(state, care_freshness_hours=care_freshness_hours)
    # Read up to the end as it is now: under a steady stream of writes the end moves,
    # and a build must not chase it.
    end = await stream.last_seq()
    seen: set[str] = set()
    while seq < end:
        events, last = await stream.read_types_after(seq, BOARD_EVENT_TYPES, count=READ_BATCH)
        for event in events:
            # A relay that crashed between publishing and marking publishes again:
            # applied twice, an older figure would replace a newer one (the hub, too,
            # shows an event once).
            if str(event.id) not in seen:
                seen.add(str(event.id))
                projection.apply(event)
        if last == seq:  # the log was trimmed or reset below `end`: nothing more to read
            break
        seq = last
    return projection, seq
