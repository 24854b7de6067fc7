"""The dispatcher's second half: the delivery loop, a worker task.

Each round, in one transaction under the queue's lock: take back deliveries whose lease
expired, read what is due (the head of each endpoint and subject), let `ordering.plan`
choose what may go now (order within a subject, each endpoint's limit), and claim it:
the claim and its attempt rows are committed before any request is sent. Each claimed
delivery is then sent by a task of its own through its endpoint's own HTTP client (so
its connections are its endpoint's), and its answer joins a queue that one recorder
stores in batches, deciding retries (`schedule.next_step`) and the endpoints' health.

The loop wakes when the fan-out queued deliveries, when answers were recorded, and
otherwise every `WICC_WEBHOOK_POLL_SECONDS` (retries fall due with the clock).
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import random
import time
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from functools import lru_cache

from wicc_flow.webhooks.at_rest import SecretUnreadable
from wicc_flow.webhooks.config import WebhookConfig
from wicc_flow.webhooks.deliveries import health, metrics, queue
from wicc_flow.webhooks.deliveries.repository import lock_queue
from wicc_flow.webhooks.deliveries.sending import headers_for, judge, signing_keys
from wicc_flow.webhooks.http11 import WebhookClient
from wicc_flow.webhooks.ordering import plan
from wicc_flow.webhooks.transport import (
    DELIVERY_TIMEOUT_SECONDS,
    Attempt,
    deliver,
    webhook_client,
)
from wicc_shared.runtime import Runtime

logger = logging.getLogger(__name__)
RECORD_BATCH = 500
GAUGE_SECONDS = 5.0
STOP_SECONDS = 2.0
RECLAIM_SECONDS = 1.0


@dataclass(frozen=True)
class DispatchLimits:
    poll_seconds: float = 1.0
    lease: timedelta = timedelta(seconds=60)
    max_in_flight: int = 256


@dataclass(frozen=True)
class Finished:
    claimed: queue.Claimed
    attempt: Attempt


def _wall_clock() -> datetime:
    return datetime.now(UTC)


class Dispatcher:
    """Sends what the fan-out queued. One per process; it runs in worker processes."""

    def __init__(self, runtime: Runtime, config: WebhookConfig, limits: DispatchLimits) -> None:
        self.runtime = runtime
        self.config = config
        self.limits = limits
        # The time signed into `webhook-timestamp` (see sending.py); replaceable in tests.
        self.wall_clock: Callable[[], datetime] = _wall_clock
        self.rng = random.Random()
        self._wake = asyncio.Event()
        self._answers: asyncio.Queue[Finished] = asyncio.Queue()
        self._sending: set[asyncio.Task[None]] = set()
        self._closing: set[asyncio.Task[None]] = set()
        self._clients: dict[tuple[uuid.UUID, int], WebhookClient] = {}
        # Answered, not yet recorded: each holds its subject, but not its endpoint's place.
        self._answered: set[uuid.UUID] = set()
        self._next_reclaim = 0.0
        # Secrets are decrypted once per stored form, not once per callback.
        self._open = lru_cache(maxsize=4096)(config.box.open)

    def wake(self) -> None:
        """Look for work now (deliveries were queued, or a retry was asked for)."""
        self._wake.set()

    @property
    def sending(self) -> int:
        return len(self._sending)

    async def run(self) -> None:
        side_tasks = [
            asyncio.create_task(self._record_forever()),
            asyncio.create_task(self._gauges_forever()),
        ]
        try:
            while True:
                self._wake.clear()
                await self._round_safely()
                with contextlib.suppress(TimeoutError):
                    await asyncio.wait_for(self._wake.wait(), self.limits.poll_seconds)
        finally:
            await self._stop(side_tasks)

    async def _round_safely(self) -> None:
        try:
            await self.run_once()
        except asyncio.CancelledError:
            raise
        except Exception:  # the database or Redis is away: try again next round
            logger.exception("webhook dispatch round failed")
            await asyncio.sleep(min(self.limits.poll_seconds, 1.0))

    async def run_once(self) -> int:
        """One round: claim what may be sent now and start sending it."""
        free = self.limits.max_in_flight - len(self._sending)
        now = self.runtime.clock()
        async with self.runtime.transaction() as session:
            await lock_queue(session)
            if time.monotonic() >= self._next_reclaim:
                # Leases last a minute: looking once a second for expired ones is plenty.
                self._next_reclaim = time.monotonic() + RECLAIM_SECONDS
                await queue.reclaim_expired(session, now)
                await queue.fail_strays(session)
            if free <= 0:
                return 0
            flying, limits = await queue.in_flight(session)
            answered = set(self._answered)
            waiting = [d for d in flying if d.delivery_id not in answered]
            busy = _at_limit(waiting, limits)
            heads, head_limits = await queue.due_heads(session, now, 4 * free, busy=busy)
            if not heads:
                return 0
            candidates = [*flying, *heads]
            chosen = plan(candidates, now=now, limits=limits | head_limits, answered=answered)
            chosen = chosen[:free]
            claimed = await queue.claim(
                session,
                [c.delivery_id for c in chosen],
                now=now,
                lease_until=now + self.limits.lease,
            )
        for delivery in claimed:
            self._start(delivery)
        return len(claimed)

    def _start(self, claimed: queue.Claimed) -> None:
        task = asyncio.create_task(self._send(claimed))
        self._sending.add(task)
        task.add_done_callback(self._sending.discard)

    async def _send(self, claimed: queue.Claimed) -> None:
        try:
            keys = signing_keys(claimed, self._open)
            headers = headers_for(
                claimed, keys, now=self.runtime.clock(), sent_at=self.wall_clock()
            )
            attempt = await deliver(
                self._client(claimed),
                claimed.url,
                self.config.policy,
                self.config.resolve,
                claimed.body.encode(),
                headers,
            )
        except SecretUnreadable:
            # WICC's own fault (a key missing from settings), not the receiver's: leave
            # the lease to expire rather than spend the receiver's retry schedule.
            logger.error("webhook secret unreadable", extra={"endpoint": str(claimed.endpoint_id)})
            return
        except Exception:  # a fault of ours: the lease expires and it is sent again
            logger.exception("webhook attempt failed", extra={"delivery": str(claimed.delivery_id)})
            return
        self._answered.add(claimed.delivery_id)
        await self._answers.put(Finished(claimed, attempt))

    def _client(self, claimed: queue.Claimed) -> WebhookClient:
        """The endpoint's own client, its connections limited to its in-flight limit."""
        key = (claimed.endpoint_id, claimed.max_in_flight)
        client = self._clients.get(key)
        if client is None:
            for old in [k for k in self._clients if k[0] == claimed.endpoint_id]:
                self._retire(self._clients.pop(old))  # its limit was changed
            client = self._clients[key] = webhook_client(max_connections=claimed.max_in_flight)
        return client

    def _retire(self, client: WebhookClient) -> None:
        """Close a client once what it may still be sending has had its time."""

        async def close_later() -> None:
            await asyncio.sleep(DELIVERY_TIMEOUT_SECONDS + 1)
            await client.aclose()

        task = asyncio.create_task(close_later())
        self._closing.add(task)  # cancelled with the rest at shutdown
        task.add_done_callback(self._closing.discard)

    async def _record_forever(self) -> None:
        while True:
            batch = [await self._answers.get()]
            while len(batch) < RECORD_BATCH and not self._answers.empty():
                batch.append(self._answers.get_nowait())
            await self._record_with_retry(batch)
            self._answered.difference_update(f.claimed.delivery_id for f in batch)
            self.wake()  # the next of each subject may go

    async def _record_with_retry(self, batch: list[Finished]) -> None:
        for backoff in (0.2, 1.0, 5.0, None):
            try:
                await self.record(batch)
                return
            except asyncio.CancelledError:
                raise
            except Exception:
                if backoff is None:
                    # The leases expire and these deliveries are sent again: the receiver
                    # may see them twice, with the same webhook-id, never not at all.
                    logger.exception("could not record %d webhook answers", len(batch))
                    return
                await asyncio.sleep(backoff)

    async def record(self, batch: list[Finished]) -> None:
        """Store a batch of answers and what follows from them, in one transaction."""
        now = self.runtime.clock()
        judged = [
            (f.claimed.endpoint_id, judge(f.claimed, f.attempt, now, rng=self.rng)) for f in batch
        ]
        async with self.runtime.transaction() as session:
            await queue.record(session, [j.answer for _, j in judged])
            disabled = await health.apply(session, judged, now)
        for endpoint_id, j in judged:
            metrics.attempt(endpoint_id, j.answer.outcome, j.answer.latency_ms)
        for endpoint_id in disabled:
            logger.warning("webhook endpoint disabled", extra={"endpoint": str(endpoint_id)})

    async def _gauges_forever(self) -> None:
        while True:
            await asyncio.sleep(GAUGE_SECONDS)
            with contextlib.suppress(Exception):  # a gauge is never worth a crash
                await self.refresh_gauges()

    async def refresh_gauges(self) -> None:
        async with self.runtime.sessions() as session:
            waiting = await queue.open_by_endpoint(session)
        metrics.queues(waiting, self.runtime.clock())

    async def _stop(self, side_tasks: list[asyncio.Task[None]]) -> None:
        """Abandon what is in flight: its leases expire and it is sent again."""
        tasks = [*side_tasks, *self._sending, *self._closing]
        for task in tasks:
            task.cancel()
        if tasks:
            await asyncio.wait(tasks, timeout=STOP_SECONDS)
        clients, self._clients = list(self._clients.values()), {}
        for client in clients:
            with contextlib.suppress(Exception):
                await client.aclose()


def _at_limit(flying: list[queue.Candidate], limits: dict[uuid.UUID, int]) -> set[uuid.UUID]:
    counts: dict[uuid.UUID, int] = {}
    for delivery in flying:
        counts[delivery.endpoint_id] = counts.get(delivery.endpoint_id, 0) + 1
    return {endpoint for endpoint, n in counts.items() if n >= limits.get(endpoint, 1)}
