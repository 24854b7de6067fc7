"""The fan-out runs in one worker at a time (so each subject's events are queued in
order), and another takes over when it stops."""

from __future__ import annotations

import asyncio
from typing import Any

import pytest

from tests.flow.webhooks_api import WEBHOOK_SETTINGS, until
from tests.support import Wicc, fetch
from wicc_flow.webhooks.deliveries.leader import FANOUT_LOCK, run_as_leader

TEST_LOCK = (FANOUT_LOCK[0], 1)  # not the running system's own fan-out lock


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return WEBHOOK_SETTINGS


async def _waiting_on_advisory_locks(wicc: Wicc) -> int:
    rows = await fetch(
        wicc,
        "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND NOT granted "
        "AND classid::int = $1 AND objid::int = $2 AND objsubid = 2",
        *TEST_LOCK,
    )
    return int(rows[0][0])


async def test_the_running_system_holds_the_fan_out_lock(wicc: Wicc) -> None:
    async def held() -> bool:
        rows = await fetch(
            wicc,
            "SELECT count(*) FROM pg_locks WHERE locktype = 'advisory' AND granted "
            "AND classid::int = $1 AND objid::int = $2 AND objsubid = 2",
            *FANOUT_LOCK,
        )
        return int(rows[0][0]) >= 1

    await until(held, what="the fan-out to take its lock")


async def test_a_second_worker_waits_and_takes_over(wicc: Wicc) -> None:
    running: list[str] = []
    engine = wicc.runtime.engine

    def work(name: str) -> Any:
        async def run() -> None:
            running.append(name)
            await asyncio.sleep(3600)

        return run

    first = asyncio.create_task(run_as_leader(engine, work("first"), TEST_LOCK))
    await until(lambda: _now(running == ["first"]), what="the first to lead")
    second = asyncio.create_task(run_as_leader(engine, work("second"), TEST_LOCK))
    try:
        await until(lambda: _count_is(wicc, 1), what="the second worker to wait on the lock")
        assert running == ["first"]
        first.cancel()
        await until(lambda: _now(running == ["first", "second"]), what="the second to lead")
    finally:
        first.cancel()
        second.cancel()
        await asyncio.gather(first, second, return_exceptions=True)


async def _now(value: bool) -> bool:
    return value


async def _count_is(wicc: Wicc, expected: int) -> bool:
    return await _waiting_on_advisory_locks(wicc) == expected
