"""`Idempotency-Key` for write endpoints: a retried request gets the original response.

A client that did not see the answer to a write (a timeout, a dropped connection)
resends it with the same `Idempotency-Key` header. The first request that succeeds
stores its status, headers and body under (API key id, Idempotency-Key) in the same
transaction as the write itself, so either both commit or neither does. A retry
then gets that stored response back, byte for byte, with `Idempotent-Replayed: true`,
and the write is not done again.

- Keys are scoped per API key: two keys may use the same value independently.
- The request is fingerprinted (method, path with query, canonical body). Reusing a
  key for a different request is refused with 422 `idempotency-key-reused`.
- Two concurrent requests with one key are serialised by a transaction-scoped
  advisory lock taken before the lookup: the second waits for the first to commit
  and then replays its response, so the write happens once.
- Only successful (2xx) responses are kept. A failed request changed nothing (its
  transaction rolled back), so retrying it with the same key simply runs it again.
- Keys are kept for `RETENTION` (24 h). After that the key may be used afresh;
  `purge_expired` deletes old rows; the capacity service's worker runs it as a
  scheduled job (`purge_expired_now`).
"""

from __future__ import annotations

import hashlib
import json
import logging
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from typing import Annotated, Any

from fastapi import Depends, Header, Request
from fastapi.responses import Response
from pydantic import BaseModel
from sqlalchemy import delete, func, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_shared.auth import Principal
from wicc_shared.errors import WiccError
from wicc_shared.kernel.models import IdempotencyRecord
from wicc_shared.runtime import Runtime

logger = logging.getLogger(__name__)

HEADER = "Idempotency-Key"
REPLAYED_HEADER = "Idempotent-Replayed"
RETENTION = timedelta(hours=24)
MAX_KEY_LENGTH = 200  # the column's width

# Advisory locks taken with two int4 arguments live in a key space of their own,
# apart from the single-bigint locks (the outbox relays use those), so the
# namespace below can never block an unrelated lock.
_LOCK_NAMESPACE = zlib.crc32(b"wicc-idempotency") - 2**31
_JSON_TYPES = ("application/json", "application/problem+json")


class IdempotencyKeyReused(WiccError):
    status, slug, title = (
        422,
        "idempotency-key-reused",
        "This Idempotency-Key was already used for a different request",
    )


@dataclass(frozen=True)
class Outcome:
    """A write's response, in a form that can be stored and replayed exactly."""

    status: int
    text: str
    headers: dict[str, str] = field(default_factory=dict)
    media_type: str = "application/json"

    @classmethod
    def of(cls, model: BaseModel, status: int, headers: dict[str, str] | None = None) -> Outcome:
        return cls(status=status, text=model.model_dump_json(), headers=dict(headers or {}))

    def response(self, *, replayed: bool = False) -> Response:
        headers = dict(self.headers)
        if replayed:
            headers[REPLAYED_HEADER] = "true"
        return Response(
            content=self.text,
            status_code=self.status,
            headers=headers,
            media_type=self.media_type,
        )

    def stored(self) -> dict[str, Any]:
        # The body is kept as text, not as JSON: JSONB reorders object keys, and a
        # replay should be byte-identical to the original.
        return {"text": self.text, "headers": self.headers, "media_type": self.media_type}

    @classmethod
    def from_record(cls, record: IdempotencyRecord) -> Outcome:
        stored = record.response or {}
        return cls(
            status=record.status_code,
            text=str(stored.get("text", "")),
            headers={str(k): str(v) for k, v in dict(stored.get("headers") or {}).items()},
            media_type=str(stored.get("media_type", "application/json")),
        )


def canonical_body(body: bytes, content_type: str) -> bytes:
    """JSON bodies are compared by content (key order and spacing do not matter);
    anything else byte for byte."""
    if content_type.split(";", 1)[0].strip().lower() in _JSON_TYPES:
        try:
            parsed = json.loads(body)
        except ValueError:
            return body
        return json.dumps(parsed, sort_keys=True, separators=(",", ":")).encode()
    return body


def request_hash(method: str, path: str, body: bytes, content_type: str) -> str:
    digest = hashlib.sha256()
    for part in (method.upper().encode(), path.encode(), canonical_body(body, content_type)):
        digest.update(len(part).to_bytes(8, "big"))  # length-prefixed: parts cannot run together
        digest.update(part)
    return digest.hexdigest()


def lock_id(key_id: str, key: str) -> int:
    """A signed int4 derived from (API key id, Idempotency-Key) for the advisory lock.

    Two different keys may share a lock id; they are then merely serialised.
    """
    return zlib.crc32(f"{key_id}\x00{key}".encode()) - 2**31


@dataclass(frozen=True)
class IdempotentRequest:
    """The current request and its optional Idempotency-Key."""

    request: Request
    key: str | None

    @property
    def path(self) -> str:
        query = self.request.url.query
        return self.request.url.path + (f"?{query}" if query else "")

    async def run(
        self,
        session: AsyncSession,
        principal: Principal,
        *,
        now: datetime,
        write: Callable[[], Awaitable[Outcome]],
        body: bytes | None = None,
    ) -> Response:
        """Do `write` once per key; replay its stored response on a retry.

        `body` defaults to the request's body (already read and cached by FastAPI
        for JSON endpoints); endpoints that read the body themselves pass it.
        """
        if self.key is None:
            return (await write()).response()
        raw = body if body is not None else await self.request.body()
        fingerprint = request_hash(
            self.request.method, self.path, raw, self.request.headers.get("content-type", "")
        )
        await _lock(session, principal.key_id, self.key)
        record = await session.get(
            IdempotencyRecord, (principal.key_id, self.key), populate_existing=True
        )
        if record is not None and record.created_at > now - RETENTION:
            if record.request_hash != fingerprint:
                raise IdempotencyKeyReused(
                    f"The {HEADER} {self.key!r} was used for a different request "
                    f"({record.method} {record.path}) in the last "
                    f"{int(RETENTION.total_seconds() // 3600)} hours. Use a new key for a new "
                    "request.",
                )
            return Outcome.from_record(record).response(replayed=True)
        outcome = await write()
        if 200 <= outcome.status < 300:
            await _store(session, principal.key_id, self.key, self, fingerprint, outcome, now)
        return outcome.response()


async def _lock(session: AsyncSession, key_id: str, key: str) -> None:
    # Held until the request's transaction ends, i.e. until the write and its stored
    # response are committed (or rolled back), so a concurrent retry waits for both.
    await session.execute(select(func.pg_advisory_xact_lock(_LOCK_NAMESPACE, lock_id(key_id, key))))


async def _store(
    session: AsyncSession,
    key_id: str,
    key: str,
    req: IdempotentRequest,
    fingerprint: str,
    outcome: Outcome,
    now: datetime,
) -> None:
    values = dict(
        key_id=key_id,
        idempotency_key=key,
        method=req.request.method,
        path=req.path,
        request_hash=fingerprint,
        status_code=outcome.status,
        response=outcome.stored(),
        created_at=now,
    )
    stmt = insert(IdempotencyRecord).values(**values)
    # An expired row for the same key is replaced: the key starts a new life.
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["key_id", "idempotency_key"],
            set_={k: stmt.excluded[k] for k in values if k not in ("key_id", "idempotency_key")},
        )
    )


async def _idempotency(
    request: Request,
    key: Annotated[
        str | None,
        Header(
            alias=HEADER,
            min_length=1,
            max_length=MAX_KEY_LENGTH,
            pattern=r"^[\x21-\x7E]+$",
            description=(
                "Optional. A unique value per logical request (a UUID is ideal), up to "
                f"{MAX_KEY_LENGTH} printable ASCII characters. Resending the same request "
                "with the same key within 24 hours returns the original response instead of "
                "writing again; reusing it for a different request is refused (422 "
                "`idempotency-key-reused`)."
            ),
            examples=["5f0c7a52-9d1e-4c8b-a3f4-0d6b1e2c9a77"],
        ),
    ] = None,
) -> IdempotentRequest:
    return IdempotentRequest(request=request, key=key)


IdempotencyDep = Annotated[IdempotentRequest, Depends(_idempotency)]


async def purge_expired(session: AsyncSession, now: datetime) -> int:
    """Delete stored responses older than the retention period; return how many."""
    result = await session.execute(
        delete(IdempotencyRecord).where(col(IdempotencyRecord.created_at) < now - RETENTION)
    )
    return int(getattr(result, "rowcount", 0) or 0)


async def purge_expired_now(runtime: Runtime) -> int:
    """The scheduled job: purge expired keys. Expiry does not depend on it (lookups
    ignore expired rows); it only bounds the table."""
    async with runtime.transaction() as session:
        purged = await purge_expired(session, runtime.clock())
    if purged:
        logger.info("purged expired idempotency keys", extra={"count": purged})
    return purged
