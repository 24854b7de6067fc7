"""Helpers for the webhook tests: endpoints through the API, waiting for deliveries."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable
from typing import Any

import pytest

from tests.flow.webhook_receiver import Receiver
from tests.support import ADMIN_TOKEN, Wicc, fetch
from wicc_flow.state import FlowState

ENDPOINTS = "/flow/v1/webhooks/endpoints"
# Every webhook test lets the dispatcher call its receiver on 127.0.0.1, and looks for
# due deliveries often, as the clock is moved rather than waited for.
WEBHOOK_SETTINGS: dict[str, Any] = {"webhook_allow_private": True, "webhook_poll_seconds": 0.05}


async def create_endpoint(
    wicc: Wicc, url: str, *, token: str = ADMIN_TOKEN, **fields: Any
) -> dict[str, Any]:
    body = {"url": url, "event_types": ["beds.updated"]} | fields
    response = await wicc.client.post(ENDPOINTS, json=body, headers=wicc.auth(token))
    assert response.status_code == 201, response.text
    created: dict[str, Any] = response.json()
    return created


async def deliveries(
    wicc: Wicc, endpoint_id: str, *, token: str = ADMIN_TOKEN, **query: Any
) -> list[dict[str, Any]]:
    response = await wicc.client.get(
        f"{ENDPOINTS}/{endpoint_id}/deliveries",
        params={"limit": 500} | query,
        headers=wicc.auth(token),
    )
    assert response.status_code == 200, response.text
    items: list[dict[str, Any]] = response.json()["items"]
    return items


async def endpoint(wicc: Wicc, endpoint_id: str) -> dict[str, Any]:
    response = await wicc.client.get(f"{ENDPOINTS}/{endpoint_id}", headers=wicc.auth())
    assert response.status_code == 200, response.text
    found: dict[str, Any] = response.json()
    return found


async def until(
    check: Callable[[], Awaitable[bool]], timeout: float = 10.0, what: str = "a condition"
) -> None:
    """Poll `check` until it holds (bounded): the dispatcher works in the background."""
    deadline = asyncio.get_running_loop().time() + timeout
    while not await check():
        if asyncio.get_running_loop().time() > deadline:
            pytest.fail(f"timed out waiting for {what}")
        await asyncio.sleep(0.05)


async def settled(wicc: Wicc, timeout: float = 10.0) -> None:
    """Wait until nothing is in flight and every fanned-out event is queued: the moment
    to move the clock without overtaking a lease."""

    async def quiet() -> bool:
        flying = await fetch(
            wicc, "SELECT count(*) FROM flow.webhook_delivery WHERE status = 'in_flight'"
        )
        return int(flying[0][0]) == 0 and wicc.state(FlowState).webhooks.dispatcher.sending == 0

    await until(quiet, timeout, "the dispatcher to settle")


def table_resolver(table: dict[str, list[str]]) -> Callable[[str], Awaitable[list[str]]]:
    """A DNS resolver answering from `table` (OSError for any other name): no test ever
    looks a name up."""

    async def resolve(host: str) -> list[str]:
        if host not in table:
            raise OSError(f"{host} is not in the test's table")
        return table[host]

    return resolve


async def started(receiver: Receiver) -> Receiver:
    return await receiver.start()
