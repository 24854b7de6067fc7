"""The care-capacity routes as tests call them, and what the database holds."""

from __future__ import annotations

from typing import Any

import asyncpg
import httpx

from tests.support import ADMIN_TOKEN, PROBLEM, Wicc, plain_url


async def put(
    wicc: Wicc, provider: str, body: dict[str, Any], token: str | None = ADMIN_TOKEN
) -> httpx.Response:
    return await wicc.client.put(
        f"/capacity/v1/providers/{provider}/capacity", json=body, headers=wicc.auth(token)
    )


async def get_json(wicc: Wicc, path: str, **params: Any) -> dict[str, Any]:
    response = await wicc.client.get(path, params=params, headers=wicc.auth())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def care_list(wicc: Wicc, **params: Any) -> dict[str, Any]:
    return await get_json(wicc, "/capacity/v1/care-capacity", limit=500, **params)


def field_names(response: httpx.Response) -> set[str]:
    """The fields a 422 validation problem names (stricter than `tests.support.field_names`)."""
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:wicc:problem:validation-error"
    return {e["field"] for e in response.json()["errors"]}


async def db_counts(wicc: Wicc) -> dict[str, int]:
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        return {
            "current": await conn.fetchval("SELECT count(*) FROM capacity.care_capacity"),
            "history": await conn.fetchval("SELECT count(*) FROM capacity.care_capacity_history"),
            "events": await conn.fetchval(
                "SELECT count(*) FROM capacity.outbox WHERE type = 'care_capacity.updated'"
            ),
            "audit": await conn.fetchval(
                "SELECT count(*) FROM kernel.audit_log WHERE entity_type = 'care_capacity'"
            ),
        }
    finally:
        await conn.close()
