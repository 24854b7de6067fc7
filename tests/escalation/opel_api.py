"""Helpers for OPEL tests through the running system's HTTP API and event log."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from typing import Any

from tests.support import Wicc, events_of

Json = dict[str, Any]
WAIT_SECONDS = 10.0


async def submit_sitrep(wicc: Wicc, body: Json, token: str | None = None) -> Json:
    response = await wicc.client.post(
        "/capacity/v1/sitreps", json=body, headers=wicc.auth(token or _admin(wicc))
    )
    assert response.status_code in (200, 201), response.text
    found: Json = response.json()
    return found


def _admin(wicc: Wicc) -> str:
    token = wicc.settings.admin_token
    assert token is not None
    return token.get_secret_value()


async def get_json(wicc: Wicc, path: str, token: str | None = None) -> Json:
    response = await wicc.client.get(path, headers=wicc.auth(token or _admin(wicc)))
    assert response.status_code == 200, response.text
    found: Json = response.json()
    return found


async def until(
    wicc: Wicc, path: str, ready: Callable[[Json], bool], timeout: float = WAIT_SECONDS
) -> Json:
    """GET `path` until `ready` holds (bounded): the consumer works asynchronously."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        body = await get_json(wicc, path)
        if ready(body):
            return body
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"{path} never became ready: {body}")
        await asyncio.sleep(0.05)


async def org_calculations(wicc: Wicc, ods: str, at_least: int) -> list[Json]:
    """`opel.calculated` payloads about one organisation, once `at_least` arrived."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while True:
        found = [
            e.data
            for e in await events_of(wicc, "opel.calculated", 0, timeout=0)
            if e.data["org"] == ods
        ]
        if len(found) >= at_least or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


def by_key(opel: Json) -> dict[str, Json]:
    return {p["key"]: p for p in opel["parameters"]}
