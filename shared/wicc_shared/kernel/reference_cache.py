"""A short-lived cache of reference rows (active organisations, units), per engine.

Hot write paths (a bed report per unit every few minutes, a sitrep per organisation
and day from every trust around the deadline) read the same reference rows on every
request, and that lookup cost about as much as the write itself. Reference data
changes only when the system file is reloaded, so an entry is kept for
`TTL_SECONDS`: a reload reaches every process within that time. Only found rows are
kept; an unknown key is looked up again.

The cache belongs to the engine, so two apps (or two tests) with their own databases
never share entries. Cached rows are detached from any session and read only.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import Any, TypeVar
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

TTL_SECONDS = 30.0
Rows = TypeVar("Rows", bound=tuple[Any, ...])


@dataclass(frozen=True)
class _Entry:
    rows: tuple[Any, ...]
    expires: float


# engine -> (kind, key) -> entry
_CACHES: WeakKeyDictionary[Engine, dict[tuple[str, str], _Entry]] = WeakKeyDictionary()


async def cached_reference(
    session: AsyncSession,
    kind: str,
    key: str,
    load: Callable[[AsyncSession, str], Awaitable[Rows | None]],
    *,
    now: Callable[[], float] = time.monotonic,
) -> Rows | None:
    """The rows `load` returns for `key`, from the cache while they are fresh."""
    cache = _CACHES.setdefault(session.sync_session.get_bind(), {})  # type: ignore[arg-type]
    entry = cache.get((kind, key))
    if entry is not None and entry.expires > now():
        rows: Rows = entry.rows  # type: ignore[assignment]  # stored by this function
        return rows
    found = await load(session, key)
    if found is None:
        cache.pop((kind, key), None)
        return None
    for row in found:
        session.expunge(row)  # shared between requests: no session may own it
    cache[(kind, key)] = _Entry(rows=found, expires=now() + TTL_SECONDS)
    return found
