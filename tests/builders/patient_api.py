"""Discharge-ready records through the API: bodies with keyword defaults, and the calls
most tests make. Test NHS numbers are made in the 999 range (never issued to people)."""

from __future__ import annotations

from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from typing import Any

import httpx

from tests.support import ADMIN_TOKEN, Wicc, set_clock
from wicc_flow.patients.nhs_number import check_digit

# A Monday morning in November: London time equals UTC.
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
TODAY = NOW.date()
PATIENTS = "/flow/v1/patients"


def valid_nhs_numbers() -> Iterator[str]:
    """Valid NHS numbers (Modulus 11) in the 999 test range."""
    body = 0
    while True:
        first_nine = f"999{body:06d}"
        digit = check_digit(first_nine)
        if digit is not None:
            yield f"{first_nine}{digit}"
        body += 1


def nhs_number(n: int = 0) -> str:
    numbers = valid_nhs_numbers()
    for _ in range(n):
        next(numbers)
    return next(numbers)


def patient_body(**overrides: Any) -> dict[str, Any]:
    """A valid record for RNZ, ready two days before NOW; override any field."""
    body: dict[str, Any] = {
        "org": "RNZ",
        "unit_id": "RNZ-MED-A",
        "local_ref": "SDH-0001",
        "admitted_at": (NOW - timedelta(days=20)).isoformat(),
        "discharge_ready_date": (TODAY - timedelta(days=2)).isoformat(),
        "pathway": 1,
        "destination_locality": "south",
        "delays": [{"reason": "p1_care_at_home", "from": (TODAY - timedelta(days=2)).isoformat()}],
    }
    body.update(overrides)
    return body


def at_now(wicc: Wicc, when: datetime = NOW) -> None:
    set_clock(wicc, when)


async def create(
    wicc: Wicc,
    token: str | None = ADMIN_TOKEN,
    headers: dict[str, str] | None = None,
    **fields: Any,
) -> httpx.Response:
    return await wicc.client.post(
        PATIENTS, json=patient_body(**fields), headers=wicc.auth(token) | (headers or {})
    )


async def created(wicc: Wicc, token: str | None = ADMIN_TOKEN, **fields: Any) -> dict[str, Any]:
    response = await create(wicc, token, **fields)
    assert response.status_code == 201, response.text
    body: dict[str, Any] = response.json()
    return body


async def patch(
    wicc: Wicc, patient_id: str, body: dict[str, Any], etag: str | None, token: str = ADMIN_TOKEN
) -> httpx.Response:
    headers = wicc.auth(token) | ({"If-Match": etag} if etag is not None else {})
    return await wicc.client.patch(f"{PATIENTS}/{patient_id}", json=body, headers=headers)
