"""Moves committed outbox rows to the event stream.

One relay per service schema. It wakes when a request commits an event (a
`kick`) or on a poll interval, which also covers rows committed by other
processes and rows stuck while Redis was down. A transaction-scoped advisory
lock keeps relays of several replicas from publishing the same schema out of
order; a crash between publish and commit can publish a row twice, which the
consumers' deduplication by event id absorbs.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import time
import zlib
from datetime import timedelta
from typing import Any

from redis.exceptions import RedisError
from sqlalchemy import Select, Table, Text, bindparam, delete, func, select, true, update
from sqlalchemy.exc import DBAPIError, OperationalError
from sqlalchemy.ext.asyncio import AsyncEngine

from wicc_shared.events.stream import EventStream
from wicc_shared.metrics import EVENTS_PUBLISHED, OUTBOX_ERRORS

logger = logging.getLogger(__name__)
BATCH_SIZE = 200
MAX_BACKOFF_SECONDS = 5.0
# Published rows are kept a while for audit and replay from the database, then pruned.
KEEP_PUBLISHED = timedelta(days=7)
PRUNE_EVERY_SECONDS = 3600.0
LOCKED_RETRY_SECONDS = 0.01
# The shortest time between two publishing cycles while commits keep coming: the
# most an event waits for company (docs/decisions.md, "outbox relay").
MIN_CYCLE_SECONDS = 0.005


def locked_batch_statement(table: Table, lock_id: int) -> Select[tuple[Any, ...]]:
    """Take this schema's relay lock and read the oldest unpublished rows, in one
    round trip. One row comes back at least: `locked` tells whether the lock was
    taken; `id` is NULL when there was nothing to publish (or no lock)."""
    lock = (
        select(func.pg_try_advisory_xact_lock(lock_id).label("locked"))
        .cte("relay_lock")
        .prefix_with("MATERIALIZED")  # taken once, before the rows are read
    )
    pending = (
        select(table.c.id, table.c.type, table.c.payload.cast(Text).label("payload"))
        .where(lock.c.locked, table.c.published_at.is_(None))
        .order_by(table.c.id)
        .limit(BATCH_SIZE)
        .lateral("pending")
    )
    return (
        select(lock.c.locked, pending.c.id, pending.c.type, pending.c.payload)
        .select_from(lock.outerjoin(pending, true()))
        .order_by(pending.c.id)
    )


class OutboxRelay:
    def __init__(
        self, engine: AsyncEngine, table: Table, stream: EventStream, *, poll_seconds: float
    ) -> None:
        self.engine = engine
        self.table = table
        self.stream = stream
        self.poll_seconds = poll_seconds
        self._wake = asyncio.Event()
        self.lock_id = zlib.crc32(f"wicc-outbox:{table.schema}".encode())
        self._locked_batch = locked_batch_statement(table, self.lock_id)
        self._last_cycle = 0.0

    def kick(self) -> None:
        self._wake.set()

    async def run(self) -> None:
        backoff = 0.1
        next_prune = 0.0
        while True:
            try:
                if time.monotonic() >= next_prune:
                    await self.prune_published()
                    next_prune = time.monotonic() + PRUNE_EVERY_SECONDS
                published = await self.publish_pending()
                backoff = 0.1
            except (RedisError, OSError, OperationalError, DBAPIError) as exc:
                OUTBOX_ERRORS.labels(schema=self.table.schema).inc()
                logger.warning(
                    "outbox relay cannot publish yet: %s", exc, extra={"schema": self.table.schema}
                )
                await asyncio.sleep(backoff)
                backoff = min(backoff * 2, MAX_BACKOFF_SECONDS)
                continue
            if published is None:
                # Another process's relay is publishing. It may have read the outbox
                # before our commit, so look again shortly rather than at the next poll.
                await asyncio.sleep(LOCKED_RETRY_SECONDS)
            elif published < BATCH_SIZE:
                await self._sleep_until_kicked()
                await self._gather_a_batch()

    async def _sleep_until_kicked(self) -> None:
        with contextlib.suppress(TimeoutError):
            await asyncio.wait_for(self._wake.wait(), timeout=self.poll_seconds)
        self._wake.clear()

    async def _gather_a_batch(self) -> None:
        """Under a stream of commits, let the next few join this cycle: a cycle costs
        four database round trips and a Redis call whether it carries one event or
        fifty. A kick after a quiet spell publishes at once."""
        wait = self._last_cycle + MIN_CYCLE_SECONDS - time.monotonic()
        if wait > 0:
            await asyncio.sleep(wait)

    async def publish_pending(self) -> int | None:
        """Publish one batch; return how many rows went out, or None when another
        relay holds this schema's lock."""
        t = self.table
        self._last_cycle = time.monotonic()
        async with self.engine.begin() as conn:
            batch = (await conn.execute(self._locked_batch)).all()
            if not batch[0].locked:
                return None
            rows = [row for row in batch if row.id is not None]
            if not rows:
                return 0
            # The payload was built from a validated Event when it was written; it goes
            # out as PostgreSQL renders it, never decoded and encoded again here.
            seqs = await self.stream.publish_serialised([(row.type, row.payload) for row in rows])
            params: list[dict[str, Any]] = [
                {"row_id": row.id, "seq": seq} for row, seq in zip(rows, seqs, strict=True)
            ]
            await conn.execute(
                update(t)
                .where(t.c.id == bindparam("row_id"))
                .values(published_at=func.now(), stream_seq=bindparam("seq")),
                params,
            )
        EVENTS_PUBLISHED.labels(schema=self.table.schema).inc(len(rows))
        return len(rows)

    async def prune_published(self) -> int:
        t = self.table
        cutoff = func.now() - KEEP_PUBLISHED
        async with self.engine.begin() as conn:
            result = await conn.execute(
                delete(t).where(t.c.published_at.is_not(None), t.c.published_at < cutoff)
            )
        return int(result.rowcount or 0)
