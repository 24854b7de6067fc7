"""Helpers for OPEL tests through the running system's HTTP API and event log."""

from __future__ import annotations

import asyncio
import json
from collections.abc import Callable
from typing import Any

import httpx

from tests.support import Wicc, count, events_of, fetch
from wicc_escalation.state import EscalationState
from wicc_shared.scheduler import ScheduledJob

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


async def applied(wicc: Wicc, event_id: object) -> None:
    """Wait until escalation's consumer has applied the event (its inbox has it)."""
    deadline = asyncio.get_running_loop().time() + WAIT_SECONDS
    while not await count(
        wicc, "SELECT count(*) FROM escalation.inbox WHERE event_id = $1", event_id
    ):
        if asyncio.get_running_loop().time() > deadline:
            raise AssertionError(f"event {event_id} was never applied")
        await asyncio.sleep(0.05)


async def run_job(wicc: Wicc, job: ScheduledJob) -> None:
    """One run of a scheduled job, now, as the worker would (claimed and recorded)."""
    scheduler = wicc.runtime.scheduler
    assert scheduler is not None
    assert await scheduler.run_once(job, force=True)


def escalation(wicc: Wicc) -> EscalationState:
    state: EscalationState = wicc.state(EscalationState)
    return state


async def declare(
    wicc: Wicc, path: str, level: int, token: str | None = None, **extra: Any
) -> httpx.Response:
    """POST a declaration to `path` (`/escalation/v1/orgs/RNZ/declarations`, ...)."""
    body = {"level": level, "reason": extra.pop("reason", f"declared {level} by the test")}
    return await wicc.client.post(
        path, json=body, headers=wicc.auth(token or _admin(wicc)) | extra.pop("headers", {})
    )


async def declared(wicc: Wicc, path: str, level: int, token: str | None = None) -> Json:
    response = await declare(wicc, path, level, token)
    assert response.status_code == 201, response.text
    found: Json = response.json()
    return found


async def announced(wicc: Wicc, type_: str) -> list[Json]:
    """Payloads of the events escalation has committed of one type, in order. Read
    from its outbox, which a request or a job writes before it returns: "not
    announced" is then certain, not a matter of waiting for the relay."""
    rows = await fetch(
        wicc, "SELECT payload FROM escalation.outbox WHERE type = $1 ORDER BY id", type_
    )
    return [json.loads(r["payload"])["data"] for r in rows]
