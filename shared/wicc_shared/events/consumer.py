"""A consumer-group worker for services that react to events.

At-least-once delivery from the stream; effectively-once effects, because the
handler runs in a transaction that also records the event id in the consumer's
own `inbox` table (a duplicate is acknowledged and skipped). A failing event is
retried (it stays pending and is reclaimed) and, after `max_attempts`
deliveries, copied to the dead-letter stream and acknowledged.
"""

from __future__ import annotations

import asyncio
import logging
import os
import socket
import time
from collections.abc import Awaitable, Callable, Sequence
from contextlib import AbstractAsyncContextManager
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from redis.asyncio import Redis
from redis.exceptions import RedisError, ResponseError
from sqlalchemy import Column, DateTime, MetaData, Table, Text, func
from sqlalchemy.dialects.postgresql import UUID, insert
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.events.envelope import Event
from wicc_shared.events.stream import EventStream, StreamResponse
from wicc_shared.logging import correlation_id
from wicc_shared.metrics import EVENTS_CONSUMED

logger = logging.getLogger(__name__)
P = TypeVar("P", bound=EventPayload)
# A transaction for one event (the runtime's `transaction`: it kicks the relays when
# the handler wrote events of its own).
Transaction = Callable[[], AbstractAsyncContextManager[AsyncSession]]
# Well under the idle time after which pending entries are reclaimed (retry_idle_ms).
ACK_DELAY_MS = 200


def inbox_table(metadata: MetaData, schema: str, name: str = "inbox") -> Table:
    """Event ids a service's consumers have already applied. A consumer may keep its
    own table (`name`), apart from the service's other consumers."""
    return Table(
        name,
        metadata,
        Column("consumer", Text, primary_key=True),
        Column("event_id", UUID(as_uuid=True), primary_key=True),
        Column("processed_at", DateTime(timezone=True), nullable=False, server_default=func.now()),
        schema=schema,
    )


def consumer_name() -> str:
    """One name per process: replicas and worker processes on one host must not share
    a consumer (each would acknowledge the other's pending entries)."""
    return f"{socket.gethostname()}-{os.getpid()}"


@dataclass(frozen=True)
class Subscription(Generic[P]):
    """An event type a consumer handles, and its handler (given the parsed payload)."""

    event_type: EventType[P]
    handle: Callable[[AsyncSession, Event, P], Awaitable[None]]


@dataclass
class ConsumerConfig:
    group: str
    consumer: str = field(default_factory=consumer_name)
    max_attempts: int = 5
    retry_idle_ms: int = 2_000
    block_ms: int = 1_000
    batch: int = 100


class StreamConsumer:
    def __init__(
        self,
        stream: EventStream,
        transaction: Transaction,
        inbox: Table,
        config: ConsumerConfig,
        subscriptions: Sequence[Subscription[Any]],
    ) -> None:
        self.stream = stream
        self.redis: Redis = stream.redis
        self.transaction = transaction
        self.inbox = inbox
        self.config = config
        self._handlers: dict[str, Subscription[Any]] = {}
        for subscription in subscriptions:
            event_type = subscription.event_type
            for name in (event_type.name, *event_type.legacy_names):
                self._handlers[name] = subscription
        self._next_retry_check = 0.0
        self._done: list[bytes] = []  # handled, not yet acknowledged
        self._first_done_at: float | None = None

    async def ensure_group(self) -> None:
        try:
            await self.redis.xgroup_create(
                self.stream.name, self.config.group, id="0", mkstream=True
            )
        except ResponseError as exc:
            if "BUSYGROUP" not in str(exc):
                raise

    async def run(self) -> None:
        while True:
            try:
                # Once per (re)connection, not per read: a lost group (NOGROUP) is a
                # ResponseError, which brings the loop back here to recreate it.
                await self.ensure_group()
                while True:
                    await self.run_once()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                logger.warning("consumer %s waiting for redis: %s", self.config.group, exc)
                await asyncio.sleep(1.0)

    async def run_once(self) -> int:
        """Handle reclaimed retries, then new entries; return how many were handled."""
        handled = await self._retry_stale()
        response: StreamResponse = await self.redis.xreadgroup(  # type: ignore[assignment]
            self.config.group,
            self.config.consumer,
            {self.stream.name: ">"},
            count=self.config.batch,
            # With acknowledgements waiting, wake soon enough to send them when idle.
            block=ACK_DELAY_MS if self._done else self.config.block_ms,
        )
        entries = [entry for _stream, read in response or [] for entry in read]
        await self.handle_read(entries)
        await self._ack_done(idle=not entries)
        return handled + len(entries)

    async def handle_read(self, entries: list[tuple[bytes, dict[bytes, bytes]]]) -> None:
        """Apply the entries of one read, each in its own transaction; those done with
        join the acknowledgements. A consumer may take a whole read at once instead."""
        for entry_id, fields in entries:
            await self.handle_entry(entry_id, fields)

    async def handle_entry(self, entry_id: bytes, fields: dict[bytes, bytes]) -> None:
        if await self._deliver(entry_id, fields, attempts=1):
            self._done.append(entry_id)

    async def _ack_done(self, *, idle: bool) -> None:
        """Acknowledge handled entries a batch at a time: under a steady trickle of
        events (most of them other services', skipped) one XACK per read doubled this
        consumer's Redis calls. Entries wait at most about ACK_DELAY_MS; one that is
        never acknowledged (the process died) is reclaimed and found in the inbox."""
        if not self._done:
            return
        now = time.monotonic()
        if self._first_done_at is None:
            self._first_done_at = now
        due = now - self._first_done_at >= ACK_DELAY_MS / 1000
        if idle or due or len(self._done) >= self.config.batch:
            done, self._done, self._first_done_at = self._done, [], None
            await self._ack(*done)

    async def _retry_stale(self) -> int:
        # Entries only become claimable after `retry_idle_ms`, so looking more often
        # than every half of that finds nothing new and costs a round trip per read.
        now = time.monotonic()
        if now < self._next_retry_check:
            return 0
        self._next_retry_check = now + self.config.retry_idle_ms / 2000
        _next, claimed, *_ = await self.redis.xautoclaim(
            self.stream.name,
            self.config.group,
            self.config.consumer,
            min_idle_time=self.config.retry_idle_ms,
            start_id="0-0",
            count=self.config.batch,
        )
        for entry_id, fields in claimed:
            attempts = await self._delivery_count(entry_id)
            if await self._deliver(entry_id, fields, attempts=attempts):
                await self._ack(entry_id)
        return len(claimed)

    async def _delivery_count(self, entry_id: bytes) -> int:
        info = await self.redis.xpending_range(
            self.stream.name, self.config.group, min=entry_id, max=entry_id, count=1
        )
        return int(info[0]["times_delivered"]) if info else 1

    async def _deliver(self, entry_id: bytes, fields: dict[bytes, bytes], attempts: int) -> bool:
        """Apply one entry; True when it is done with (to be acknowledged)."""
        if not fields:  # trimmed away while pending
            return True
        kind = fields.get(b"t")
        if kind is not None and kind.decode() not in self._handlers:
            return True  # another service's business: skipped without parsing it
        event = Event.from_stream(entry_id, fields[b"e"])
        subscription = self._handlers.get(event.type)
        if subscription is None:
            return True
        token = correlation_id.set(event.correlationid)
        try:
            await self._apply_once(event, subscription)
        except Exception:
            logger.exception(
                "handler failed", extra={"event_id": str(event.id), "attempt": attempts}
            )
            EVENTS_CONSUMED.labels(group=self.config.group, outcome="failed").inc()
            if attempts >= self.config.max_attempts:
                await self._dead_letter(entry_id, fields, attempts)
            return False
        finally:
            correlation_id.reset(token)
        EVENTS_CONSUMED.labels(group=self.config.group, outcome="ok").inc()
        return True

    async def _apply_once(self, event: Event, subscription: Subscription[Any]) -> None:
        payload = subscription.event_type.parse(event)
        async with self.transaction() as session:
            claimed = await session.execute(
                insert(self.inbox)
                .values(consumer=self.config.group, event_id=event.id)
                .on_conflict_do_nothing()
                .returning(self.inbox.c.event_id)
            )
            if claimed.first() is None:
                return  # already applied: a redelivery
            await subscription.handle(session, event, payload)

    async def _dead_letter(
        self, entry_id: bytes, fields: dict[bytes, bytes], attempts: int
    ) -> None:
        await self.redis.xadd(
            self.stream.dead_letter,
            {
                b"e": fields[b"e"],
                b"group": self.config.group.encode(),
                b"entry": entry_id,
                b"attempts": str(attempts).encode(),
            },
        )
        EVENTS_CONSUMED.labels(group=self.config.group, outcome="dead_lettered").inc()
        await self._ack(entry_id)

    async def _ack(self, *entry_ids: bytes) -> None:
        if entry_ids:
            await self.redis.xack(self.stream.name, self.config.group, *entry_ids)
