"""The running system for the API fuzzer.

Hypothesis drives each fuzzed operation from a synchronous test, so the system cannot
share the test's event loop (it would never run while the test waits for it): it is
served, as the `wicc` fixture serves it, from an event loop of its own in a thread,
on a real port, with a database of its own cloned from the template.
"""

from __future__ import annotations

import asyncio
import threading
import uuid
from collections.abc import Iterator
from dataclasses import dataclass

import httpx
import pytest

from tests.support import ADMIN_TOKEN, admin_connection, database_url, serve, settings_for


@dataclass(frozen=True)
class LiveSystem:
    base_url: str
    tokens: dict[str, str | None]  # role -> bearer token (None: no key)


async def _serve_until(
    postgres_url: str, template_db: str, redis_url: str, started: list[str], stop: asyncio.Event
) -> None:
    name = f"wicc_fuzz_{uuid.uuid4().hex[:16]}"
    conn = await admin_connection(postgres_url)
    await conn.execute(f'CREATE DATABASE "{name}" TEMPLATE "{template_db}"')
    await conn.close()
    try:
        settings = settings_for(database_url(postgres_url, name), redis_url)
        async with serve(settings) as running:
            started.append(running.base_url)
            await stop.wait()
    finally:
        conn = await admin_connection(postgres_url)
        await conn.execute(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)')
        await conn.close()


@pytest.fixture(scope="module")
def live_system(postgres_url: str, template_db: str, redis_url: str) -> Iterator[LiveSystem]:
    loop = asyncio.new_event_loop()
    stop = asyncio.Event()
    started: list[str] = []
    failed: list[BaseException] = []

    def run() -> None:
        try:
            loop.run_until_complete(
                _serve_until(postgres_url, template_db, redis_url, started, stop)
            )
        except BaseException as exc:  # reported to the test below
            failed.append(exc)

    thread = threading.Thread(target=run, name="wicc-fuzz-system", daemon=True)
    thread.start()
    while not started and not failed:
        thread.join(0.05)
    if failed:
        raise failed[0]
    base = started[0]
    viewer = httpx.post(
        f"{base}/flow/v1/admin/api-keys",
        json={"role": "viewer", "system": "wiltshire", "label": "fuzz viewer"},
        headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
    )
    assert viewer.status_code == 201, viewer.text
    try:
        yield LiveSystem(
            base, {"admin": ADMIN_TOKEN, "viewer": viewer.json()["token"], "none": None}
        )
    finally:
        loop.call_soon_threadsafe(stop.set)
        thread.join(60)
        loop.close()
