"""One fan-out at a time, whatever the number of worker processes.

Deliveries about one subject are sent in the order of their events' sequence numbers,
so they must be queued in that order: were two workers to fan out side by side, the
later event of a unit could be queued, and sent, before the earlier one is queued. So
the fan-out runs only in the worker that holds a PostgreSQL advisory lock, on a
connection of its own kept for as long as it runs (in autocommit: no transaction stays
open). The others wait on the lock, and one takes over when the holder stops or its
connection is lost. The delivery loops of every worker share the sending.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import zlib
from collections.abc import Awaitable, Callable

from sqlalchemy import func, select, text
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine

logger = logging.getLogger(__name__)
FANOUT_LOCK = (zlib.crc32(b"wicc-webhook-fanout") - 2**31, 0)
CHECK_SECONDS = 5.0


async def run_as_leader(
    engine: AsyncEngine,
    work: Callable[[], Awaitable[None]],
    lock: tuple[int, int] = FANOUT_LOCK,
) -> None:
    """Run `work` while holding the advisory `lock`; wait for it, and take it again
    after losing it (a database restart), until cancelled."""
    while True:
        try:
            async with engine.connect() as connection:
                try:
                    autocommit = await connection.execution_options(isolation_level="AUTOCOMMIT")
                    await _hold(autocommit, work, lock)
                finally:
                    # Closed, not returned to the pool: a pooled connection would keep
                    # the lock (it is the session's), and no other worker could lead.
                    with contextlib.suppress(Exception):
                        await connection.invalidate()
        except asyncio.CancelledError:
            raise
        except Exception:  # the database went away: the lock went with it
            logger.exception("webhook fan-out lost its lock; waiting for it again")
            await asyncio.sleep(1.0)


async def _hold(
    connection: AsyncConnection, work: Callable[[], Awaitable[None]], lock: tuple[int, int]
) -> None:
    await connection.execute(select(func.pg_advisory_lock(*lock)))
    running = asyncio.ensure_future(work())
    try:
        while not running.done():
            # The lock lives as long as this connection: check that it still does.
            await asyncio.wait({running}, timeout=CHECK_SECONDS)
            await connection.execute(text("SELECT 1"))
        running.result()  # a crash of the work is the caller's to see
    finally:
        running.cancel()
        with contextlib.suppress(asyncio.CancelledError, Exception):
            await running
