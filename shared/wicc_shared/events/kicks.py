"""Waking outbox relays when a commit has written to their outbox.

Relays run in worker processes; requests commit in API processes. A request that wrote
an event kicks the relays of the schemas it wrote to, so the event is published within
milliseconds rather than at the next poll:

- in a process that runs those relays (a worker, or `wicc run` as one process) the kick
  is a method call;
- elsewhere the schema names go out on a Redis channel, coalesced (one PUBLISH carries
  every kick of a burst), and the worker's listener wakes its relays.

A lost kick (Redis briefly away, a listener reconnecting) costs at most one poll
interval: the relays poll anyway. Nothing here can lose an event, which is already
committed in the outbox before any kick.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
from collections.abc import Collection
from typing import Protocol

from redis.asyncio import Redis
from redis.exceptions import RedisError

logger = logging.getLogger(__name__)
LISTEN_POLL_SECONDS = 1.0


class Kickable(Protocol):
    def kick(self) -> None: ...


class RelayKicks:
    def __init__(self, redis: Redis, channel: str) -> None:
        self._redis = redis
        self.channel = channel
        self._local: dict[str, list[Kickable]] = {}
        self._pending: set[str] = set()
        self._wake = asyncio.Event()
        self._publisher: asyncio.Task[None] | None = None

    def attach(self, schema: str, relay: Kickable) -> None:
        """A relay of this process: kicks for its schema reach it directly."""
        self._local.setdefault(schema, []).append(relay)

    def kick(self, schemas: Collection[str]) -> None:
        for schema in schemas:
            relays = self._local.get(schema)
            if relays:
                for relay in relays:
                    relay.kick()
            else:
                self._pending.add(schema)
        if self._pending:
            self._start_publisher()
            self._wake.set()

    def _start_publisher(self) -> None:
        if self._publisher is None or self._publisher.done():
            self._publisher = asyncio.create_task(self._publish_forever(), name="relay-kicks")

    async def _publish_forever(self) -> None:
        while True:
            await self._wake.wait()
            self._wake.clear()
            pending, self._pending = self._pending, set()
            try:
                await self._redis.publish(self.channel, ",".join(sorted(pending)))
            except (RedisError, OSError) as exc:  # the relays' poll catches up
                logger.debug("relay kick not sent: %s", exc)

    async def listen(self) -> None:
        """Worker task: wake this process's relays on kicks from other processes."""
        while True:
            try:
                await self._listen_once()
            except asyncio.CancelledError:
                raise
            except (RedisError, OSError) as exc:
                logger.warning("relay kicks: waiting for redis: %s", exc)
                await asyncio.sleep(LISTEN_POLL_SECONDS)

    async def _listen_once(self) -> None:
        async with self._redis.pubsub(ignore_subscribe_messages=True) as pubsub:
            await pubsub.subscribe(self.channel)
            while True:
                message = await pubsub.get_message(timeout=LISTEN_POLL_SECONDS)
                if message is not None and message["type"] == "message":
                    self._kick_local(message["data"].decode().split(","))

    def _kick_local(self, schemas: list[str]) -> None:
        for schema in schemas:
            for relay in self._local.get(schema, ()):
                relay.kick()

    async def close(self) -> None:
        publisher = self._publisher
        if publisher is None:
            return
        # redis-py can swallow a cancellation that lands as a PUBLISH completes (the
        # reply is returned instead), after which the loop would wait for a kick that
        # never comes and this close would never return: cancel until it has ended.
        while not publisher.done():
            publisher.cancel()
            await asyncio.wait({publisher}, timeout=0.1)
        with contextlib.suppress(asyncio.CancelledError):
            await publisher
