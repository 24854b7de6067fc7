"""Closing the relay kicks ends their publisher, even one whose cancellation was
swallowed (redis-py can finish a PUBLISH it was cancelled in and return normally)."""

from __future__ import annotations

import asyncio

from redis.asyncio import Redis

from wicc_shared.events.kicks import RelayKicks


async def test_close_ends_a_publisher_that_swallowed_its_first_cancellation(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    kicks = RelayKicks(redis, "wicc:test:kicks")
    swallowed = asyncio.Event()

    async def publisher() -> None:
        # What `_publish_forever` does when the cancel lands inside the PUBLISH: the
        # command completes, the CancelledError is lost, the loop waits for a kick.
        try:
            await asyncio.sleep(3600)
        except asyncio.CancelledError:
            swallowed.set()
        await asyncio.Event().wait()

    kicks._publisher = asyncio.create_task(publisher())
    await asyncio.sleep(0)
    closing = asyncio.create_task(kicks.close())
    # Waited for without cancelling it: cancelling `close` would cancel the publisher
    # again from outside and hide a close that never returns on its own.
    done, _ = await asyncio.wait({closing}, timeout=5)
    await redis.aclose()
    assert closing in done, "close() never returned"
    assert swallowed.is_set() and kicks._publisher.cancelled()


async def test_close_after_kicks_over_redis(redis_url: str) -> None:
    redis = Redis.from_url(redis_url)
    kicks = RelayKicks(redis, "wicc:test:kicks")
    for _ in range(50):
        kicks.kick({"flow"})
        await asyncio.sleep(0)
    closing = asyncio.create_task(kicks.close())
    done, _ = await asyncio.wait({closing}, timeout=5)
    await redis.aclose()
    assert closing in done, "close() never returned"
