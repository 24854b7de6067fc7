"""Saving and restoring the board hub's picture."""

from __future__ import annotations

import asyncio
import logging
from typing import Any

from sqlalchemy import func
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.exc import SQLAlchemyError
from sqlalchemy.ext.asyncio import AsyncSession, async_sessionmaker
from sqlmodel import col

from wicc_flow.board.hub import BoardHub
from wicc_flow.board.models import BoardCheckpoint

logger = logging.getLogger(__name__)
CHECKPOINT_EVERY_SECONDS = 10.0


async def load_checkpoint(sessions: async_sessionmaker[AsyncSession]) -> tuple[int, dict[str, Any]]:
    async with sessions() as session:
        row = await session.get(BoardCheckpoint, 1)
    return (row.seq, row.state) if row else (0, {})


async def restore_with_retry(sessions: async_sessionmaker[AsyncSession], hub: BoardHub) -> None:
    """Start the hub from its checkpoint, waiting out a database that is not up yet."""
    backoff = 0.2
    while True:
        try:
            seq, state = await load_checkpoint(sessions)
        except (OSError, SQLAlchemyError) as exc:
            logger.warning("board hub waiting for the database: %s", exc)
            await asyncio.sleep(backoff)
            backoff = min(backoff * 2, 5.0)
            continue
        hub.restore(seq, state)
        return


async def save_checkpoint(sessions: async_sessionmaker[AsyncSession], hub: BoardHub) -> None:
    stmt = insert(BoardCheckpoint).values(id=1, seq=hub.seq, state=hub.projection.state())
    # Several replicas may save; only a newer picture replaces an older one.
    stmt = stmt.on_conflict_do_update(
        index_elements=["id"],
        set_={"seq": stmt.excluded.seq, "state": stmt.excluded.state, "saved_at": func.now()},
        where=col(BoardCheckpoint.seq) < stmt.excluded.seq,
    )
    async with sessions() as session, session.begin():
        await session.execute(stmt)


async def checkpoint_periodically(
    sessions: async_sessionmaker[AsyncSession], hub: BoardHub
) -> None:
    saved = hub.seq
    while True:
        await asyncio.sleep(CHECKPOINT_EVERY_SECONDS)
        if hub.seq == saved:
            continue
        try:
            await save_checkpoint(sessions, hub)
            saved = hub.seq
        except Exception:  # a failed checkpoint only costs replay time; keep serving
            logger.exception("board checkpoint failed")
