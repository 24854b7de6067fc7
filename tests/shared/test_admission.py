"""Admission control: beyond its limit a process sheds requests at once (503 with
Retry-After) instead of queueing them; health and metrics are never refused."""

from __future__ import annotations

import asyncio
from typing import Any

import asyncpg
import httpx
import pytest
from starlette.applications import Starlette
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.routing import Route

from tests.builders.sitreps import MORNING, TODAY, sitrep_body
from tests.support import Wicc, plain_url, set_clock
from wicc_capacity.sitreps.repository import ORG_LOCK_NAMESPACE, org_lock_id
from wicc_shared.admission import AdmissionControl


def _app(release: asyncio.Event, entered: asyncio.Queue[None]) -> Starlette:
    async def slow(_request: Request) -> PlainTextResponse:
        await entered.put(None)
        await release.wait()
        return PlainTextResponse("done")

    async def healthz(_request: Request) -> PlainTextResponse:
        return PlainTextResponse("ok")

    return Starlette(routes=[Route("/work", slow), Route("/svc/healthz", healthz)])


async def test_requests_beyond_the_limit_are_shed_and_the_admitted_ones_finish() -> None:
    release, entered = asyncio.Event(), asyncio.Queue[None]()
    app = AdmissionControl(_app(release, entered), limit=2, retry_after_seconds=3)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://wicc") as client:
        admitted = [asyncio.create_task(client.get("/work")) for _ in range(2)]
        for _ in admitted:
            await asyncio.wait_for(entered.get(), 5)

        shed = await client.get("/work")
        assert shed.status_code == 503
        assert shed.headers["content-type"] == "application/problem+json"
        assert shed.headers["retry-after"] == "3"
        assert shed.json()["type"] == "urn:wicc:problem:overloaded"
        assert (await client.get("/svc/healthz")).status_code == 200  # never refused

        release.set()
        assert [r.status_code for r in await asyncio.gather(*admitted)] == [200, 200]
        assert app.in_flight == 0
        assert (await client.get("/work")).status_code == 200  # room again


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"max_in_flight": 1}


async def test_the_running_system_sheds_a_second_request_while_one_is_in_flight(
    wicc: Wicc,
) -> None:
    set_clock(wicc, MORNING)
    # Hold the sitrep lock of RNZ, so a sitrep POST for RNZ stays in flight.
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        await conn.execute("BEGIN")
        await conn.execute(
            "SELECT pg_advisory_xact_lock($1, $2)", ORG_LOCK_NAMESPACE, org_lock_id("RNZ")
        )
        first = asyncio.create_task(
            wicc.client.post(
                "/capacity/v1/sitreps", json=sitrep_body("RNZ", TODAY), headers=wicc.auth()
            )
        )
        for _ in range(500):  # until the POST is inside, waiting for the lock
            if wicc.app.admission.in_flight:
                break
            await asyncio.sleep(0.01)
        assert wicc.app.admission.in_flight == 1
        shed = await wicc.client.get("/capacity/v1/orgs", headers=wicc.auth())
        assert shed.status_code == 503, shed.text
        assert shed.headers["retry-after"] == "1"
        assert (await wicc.client.get("/capacity/readyz")).status_code == 200
        await conn.execute("COMMIT")
    finally:
        await conn.close()
    assert (await first).status_code == 201  # admitted, and served to the end
    assert (await wicc.client.get("/capacity/v1/orgs", headers=wicc.auth())).status_code == 200
