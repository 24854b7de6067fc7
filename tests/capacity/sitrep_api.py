"""The sitrep routes as tests call them."""

from __future__ import annotations

import datetime as dt
from typing import Any

import httpx

from tests.support import ADMIN_TOKEN, Wicc

SITREPS = "/capacity/v1/sitreps"


async def post_sitrep(
    wicc: Wicc,
    body: dict[str, Any],
    token: str | None = ADMIN_TOKEN,
    key: str | None = None,
) -> httpx.Response:
    headers = wicc.auth(token) | ({"Idempotency-Key": key} if key else {})
    return await wicc.client.post(SITREPS, json=body, headers=headers)


async def put_sitrep(
    wicc: Wicc,
    org: str,
    date: dt.date,
    body: dict[str, Any],
    token: str | None = ADMIN_TOKEN,
    key: str | None = None,
) -> httpx.Response:
    headers = wicc.auth(token) | ({"Idempotency-Key": key} if key else {})
    return await wicc.client.put(f"{SITREPS}/{org}/{date}", json=body, headers=headers)
