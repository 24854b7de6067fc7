"""A short-lived cache of active organisations and their care system, per engine.

Hot write paths (a sitrep per organisation and day, from every trust around the
deadline) read the same reference rows on every request, and that lookup cost about
as much as the write itself. Reference data changes only when the system file is
reloaded, so an entry is kept for `TTL_SECONDS`: a reload reaches every process within
that time. Only found organisations are kept; an unknown code is looked up again.

The cache belongs to the engine, so two apps (or two tests) with their own databases
never share entries. Cached rows are detached from any session and read only.
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from weakref import WeakKeyDictionary

from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_shared.kernel.models import CareSystem, Organisation

TTL_SECONDS = 30.0
OrgAndSystem = tuple[Organisation, CareSystem]
Loader = Callable[[AsyncSession, str], Awaitable[OrgAndSystem | None]]


@dataclass(frozen=True)
class _Entry:
    found: OrgAndSystem
    expires: float


_CACHES: WeakKeyDictionary[Engine, dict[str, _Entry]] = WeakKeyDictionary()


async def cached_active_org(
    session: AsyncSession, ods: str, load: Loader, *, now: Callable[[], float] = time.monotonic
) -> OrgAndSystem | None:
    """The organisation and its care system from the cache, or from `load`."""
    cache = _CACHES.setdefault(session.sync_session.get_bind(), {})  # type: ignore[arg-type]
    entry = cache.get(ods)
    if entry is not None and entry.expires > now():
        return entry.found
    found = await load(session, ods)
    if found is None:
        cache.pop(ods, None)
        return None
    for row in found:
        session.expunge(row)  # shared between requests: no session may own it
    cache[ods] = _Entry(found=found, expires=now() + TTL_SECONDS)
    return found
