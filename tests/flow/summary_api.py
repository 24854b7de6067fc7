"""The summaries API as tests call it, and waiting for writes to reach the event log."""

from __future__ import annotations

import asyncio
import datetime as dt
from typing import Any

import httpx

from tests.support import ADMIN_TOKEN, Wicc, count, set_clock

DAY = dt.date(2026, 12, 3)  # a Thursday; London time is UTC in December
MORNING = dt.datetime(2026, 12, 3, 8, 40, tzinfo=dt.UTC)
SUMMARY_SETTINGS = {"summary_check_seconds": 3600.0}  # tests run the job themselves


def summary_path(day: dt.date = DAY, system: str = "wiltshire") -> str:
    return f"/flow/v1/summaries/{system}/{day.isoformat()}"


async def until_published(wicc: Wicc, timeout: float = 10.0) -> None:
    """Every committed event is on the log, so a build sees it."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        waiting = await count(
            wicc,
            "SELECT (SELECT count(*) FROM capacity.outbox WHERE published_at IS NULL)"
            " + (SELECT count(*) FROM flow.outbox WHERE published_at IS NULL)",
        )
        if waiting == 0:
            return
        assert asyncio.get_running_loop().time() < deadline, f"{waiting} events unpublished"
        await asyncio.sleep(0.05)


async def build(
    wicc: Wicc,
    day: dt.date = DAY,
    *,
    system: str = "wiltshire",
    token: str | None = ADMIN_TOKEN,
    headers: dict[str, str] | None = None,
) -> httpx.Response:
    await until_published(wicc)
    return await wicc.client.post(
        summary_path(day, system), headers={**wicc.auth(token), **(headers or {})}
    )


async def read(
    wicc: Wicc,
    day: dt.date = DAY,
    *,
    accept: str | None = "application/json",
    version: int | None = None,
    system: str = "wiltshire",
    token: str | None = ADMIN_TOKEN,
) -> httpx.Response:
    headers = wicc.auth(token) | ({"Accept": accept} if accept is not None else {})
    params = {"version": version} if version is not None else {}
    return await wicc.client.get(summary_path(day, system), params=params, headers=headers)


async def document(wicc: Wicc, day: dt.date = DAY, **kwargs: Any) -> dict[str, Any]:
    response = await read(wicc, day, **kwargs)
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def at_morning(wicc: Wicc, when: dt.datetime = MORNING) -> None:
    set_clock(wicc, when)
