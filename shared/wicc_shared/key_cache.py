"""A short-lived cache of authenticated API keys, per engine.

A trust's system posting hundreds of sitreps or bed reports a minute presents the same
key on every request, and looking it up cost a quarter of the server's CPU per sitrep
(docs/performance.md). A found, unrevoked key is therefore remembered for
`TTL_SECONDS` under its token's hash. A revocation committed in this process forgets
the key at once; other processes (workers, replicas) stop accepting it within
`TTL_SECONDS`. Unknown or revoked tokens are never remembered, so random tokens cannot
fill the cache and a new key works at once.

The cache belongs to the engine, so two apps (or two tests) with their own databases
never share entries.
"""

from __future__ import annotations

import time
from collections.abc import Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING
from weakref import WeakKeyDictionary

from sqlalchemy import event
from sqlalchemy.engine import Engine
from sqlalchemy.ext.asyncio import AsyncSession

if TYPE_CHECKING:  # auth imports this module
    from wicc_shared.auth import Principal

TTL_SECONDS = 5.0
Clock = Callable[[], float]


@dataclass(frozen=True)
class _Entry:
    principal: Principal
    expires: float


# engine -> token hash -> entry
_CACHES: WeakKeyDictionary[Engine, dict[str, _Entry]] = WeakKeyDictionary()


def _cache(session: AsyncSession) -> dict[str, _Entry]:
    return _CACHES.setdefault(session.sync_session.get_bind(), {})  # type: ignore[arg-type]


def recall(session: AsyncSession, token_hash: str, now: Clock = time.monotonic) -> Principal | None:
    """The principal remembered for this token, while fresh."""
    return recall_in(session.sync_session.get_bind(), token_hash, now)  # type: ignore[arg-type]


def recall_in(engine: Engine, token_hash: str, now: Clock = time.monotonic) -> Principal | None:
    """As `recall`, for a caller without a session (opening one costs more than this)."""
    entry = _CACHES.get(engine, {}).get(token_hash)
    return entry.principal if entry is not None and entry.expires > now() else None


def remember(
    session: AsyncSession, token_hash: str, principal: Principal, now: Clock = time.monotonic
) -> None:
    _cache(session)[token_hash] = _Entry(principal=principal, expires=now() + TTL_SECONDS)


def forget_after_commit(session: AsyncSession, key_id: str) -> None:
    """Forget the key in every cache of this process once `session` commits (forgetting
    earlier would let a request re-remember it from the not yet revoked row)."""

    def forget(_session: object) -> None:
        for cache in list(_CACHES.values()):
            for token_hash in [h for h, e in cache.items() if e.principal.key_id == key_id]:
                cache.pop(token_hash, None)

    event.listen(session.sync_session, "after_commit", forget, once=True)
