"""The request guard in front of every service: the key before the body, a body limit
per operation, and no NUL or lone surrogate reaching PostgreSQL."""

from __future__ import annotations

import asyncio
from collections.abc import AsyncIterator
from typing import Any
from urllib.parse import urlsplit

import httpx
import pytest

from tests.support import ADMIN_TOKEN, PROBLEM, Wicc
from wicc_shared.settings import WiccSettings

BEDS = "/capacity/v1/units/RNZ-AMU/beds"
KEYS = "/flow/v1/admin/api-keys"
LIMIT = WiccSettings.model_fields["max_body_bytes"].default


def problem(response: httpx.Response, status: int) -> dict[str, Any]:
    assert response.status_code == status, response.text
    assert response.headers["content-type"] == PROBLEM
    body: dict[str, Any] = response.json()
    return body


def errors(response: httpx.Response) -> set[tuple[str, str, str]]:
    body = problem(response, 422)
    return {(e["field"], e["location"], e["code"]) for e in body["errors"]}


async def raw_exchange(wicc: Wicc, head: str, body: bytes = b"") -> bytes:
    """Send a request head (and part of a body), then read the response's first line and
    headers without sending the rest: the server must answer before the body."""
    url = urlsplit(wicc.base_url)
    reader, writer = await asyncio.open_connection(url.hostname, url.port)
    try:
        writer.write(head.replace("\n", "\r\n").encode() + b"\r\n" + body)
        await writer.drain()
        return await asyncio.wait_for(reader.readuntil(b"\r\n\r\n"), timeout=10)
    finally:
        writer.close()


@pytest.mark.parametrize("token", [None, "wicc_not-a-real-key"])
async def test_without_a_valid_key_broken_json_is_a_401(wicc: Wicc, token: str | None) -> None:
    response = await wicc.client.put(
        BEDS,
        content=b'{"core_open":',
        headers=wicc.auth(token) | {"Content-Type": "application/json"},
    )
    assert problem(response, 401)["type"] == "urn:wicc:problem:unauthorized"
    assert response.headers["www-authenticate"] == "Bearer"


async def test_the_key_is_checked_before_a_body_is_read(wicc: Wicc) -> None:
    head = (
        f"PUT {BEDS} HTTP/1.1\nHost: wicc\nContent-Type: application/json\n"
        "Content-Length: 10000000\n"
    )
    answered = await raw_exchange(wicc, head, b'{"core_open": 1')
    assert answered.startswith(b"HTTP/1.1 401 ")


async def test_a_declared_body_over_the_limit_is_refused_before_it_is_read(wicc: Wicc) -> None:
    head = (
        f"PUT {BEDS} HTTP/1.1\nHost: wicc\nContent-Type: application/json\n"
        f"Authorization: Bearer {ADMIN_TOKEN}\nContent-Length: {LIMIT + 1}\n"
    )
    answered = await raw_exchange(wicc, head, b"[{}, ")
    assert answered.startswith(b"HTTP/1.1 413 ")
    assert b"content-type: application/problem+json" in answered.lower()


async def test_a_chunked_body_over_the_limit_is_a_413(wicc: Wicc) -> None:
    async def chunks() -> AsyncIterator[bytes]:
        yield b"["
        for _ in range(LIMIT // 4096 + 1):
            yield b"{}, " * 1024
        yield b"{}]"

    response = await wicc.client.put(
        BEDS, content=chunks(), headers=wicc.auth() | {"Content-Type": "application/json"}
    )
    body = problem(response, 413)
    assert body["type"] == "urn:wicc:problem:payload-too-large"
    assert body["max_bytes"] == LIMIT


async def test_a_body_within_its_operation_s_own_limit_is_read(wicc: Wicc) -> None:
    """The CSV upload keeps its own, larger limit."""
    text = "org,date\n" + "#" * (LIMIT + 10)
    response = await wicc.client.post(
        "/capacity/v1/sitreps/bulk",
        content=text.encode(),
        headers=wicc.auth() | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 422  # read and parsed: a bad header, not 413


async def test_a_nul_in_the_query_or_path_is_a_422_naming_the_parameter(wicc: Wicc) -> None:
    query = await wicc.client.get("/capacity/v1/orgs?system=%00", headers=wicc.auth())
    assert errors(query) == {("system", "query", "null_character")}
    path = await wicc.client.get("/capacity/v1/orgs/R%00Z", headers=wicc.auth())
    assert errors(path) == {("ods", "path", "null_character")}
    beds = await wicc.client.get("/capacity/v1/units/RNZ%00/beds/history", headers=wicc.auth())
    assert errors(beds) == {("unit_id", "path", "null_character")}


@pytest.mark.parametrize(
    ("fields", "expected"),
    [
        ({"label": "bed\\u0000bureau"}, ("label", "null_character")),
        ({"org": "\\ud800"}, ("org", "surrogate_character")),
        ({"system": "x\\udfffy"}, ("system", "surrogate_character")),
    ],
)
async def test_a_nul_or_lone_surrogate_in_json_is_a_422_naming_the_field(
    wicc: Wicc, fields: dict[str, str], expected: tuple[str, str]
) -> None:
    members = ", ".join(f'"{k}": "{v}"' for k, v in fields.items())
    body = '{"role": "viewer", ' + members + "}"
    response = await wicc.client.post(
        KEYS, content=body.encode(), headers=wicc.auth() | {"Content-Type": "application/json"}
    )
    field, code = expected
    assert errors(response) == {(field, "body", code)}


async def test_nested_fields_and_keys_are_named(wicc: Wicc) -> None:
    body = (
        '{"core_open": 1, "escalation_open": 0, "occupied": 0, "as_of": "2026-11-22T08:00:00Z",'
        ' "closed": [{"reason": "staffing\\u0000", "count": 1}], "x\\u0000": 1}'
    )
    response = await wicc.client.put(
        BEDS, content=body.encode(), headers=wicc.auth() | {"Content-Type": "application/json"}
    )
    assert errors(response) == {
        ("closed.0.reason", "body", "null_character"),
        ("x\\u0000", "body", "null_character"),
    }


async def test_escaped_characters_that_postgresql_can_store_pass(wicc: Wicc) -> None:
    """A surrogate pair is one character (an emoji); a backslash before u0000 is text."""
    body = '{"role": "viewer", "org": "RNZ", "label": "\\ud83d\\ude00 \\\\u0000"}'
    response = await wicc.client.post(
        KEYS, content=body.encode(), headers=wicc.auth() | {"Content-Type": "application/json"}
    )
    assert response.status_code == 201, response.text
    assert response.json()["label"] == "\U0001f600 \\u0000"


async def test_a_nul_in_a_csv_cell_rejects_its_row_naming_the_column(wicc: Wicc) -> None:
    text = "org,date,los_7_plus,los_14_plus,los_21_plus,beds_closed_dv,nctr_patients\n"
    text += "RN\x00Z,2026-11-23,0,0,0,0,0\n"
    response = await wicc.client.post(
        "/capacity/v1/sitreps/bulk",
        content=text.encode(),
        headers=wicc.auth() | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    [rejected] = response.json()["rejected"]
    assert [(e["field"], e["code"]) for e in rejected["errors"]] == [("org", "null_character")]


@pytest.mark.parametrize(
    ("body", "reason"),
    [
        (b"\xfe\xff\x00", "not UTF-8"),
        (b"[" * 5_000 + b"]" * 5_000, "nested"),
        (b'{"core_open": ' + b"1" * 4_301 + b"}", "out of range"),
    ],
    ids=["utf-16-looking", "deeply-nested", "4301-digit-integer"],
)
async def test_json_that_python_cannot_parse_is_a_422(wicc: Wicc, body: bytes, reason: str) -> None:
    response = await wicc.client.put(
        BEDS, content=body, headers=wicc.auth() | {"Content-Type": "application/json"}
    )
    [error] = problem(response, 422)["errors"]
    assert (error["field"], error["code"]) == ("body", "json_invalid")
    assert reason in error["message"]


async def test_a_405_lists_every_method_of_the_path(wicc: Wicc) -> None:
    response = await wicc.client.post(BEDS, json={}, headers=wicc.auth())
    assert problem(response, 405)["type"] == "urn:wicc:problem:method-not-allowed"
    assert response.headers["allow"] == "GET, PUT"


async def test_public_routes_need_no_key(wicc: Wicc) -> None:
    for path in ("/capacity/healthz", "/flow/openapi.json", "/escalation/docs", "/flow/board"):
        assert (await wicc.client.get(path)).status_code == 200, path
    assert (await wicc.client.get("/capacity/v1/nothing-here")).status_code == 401
    assert (
        await wicc.client.get("/capacity/v1/nothing-here", headers=wicc.auth())
    ).status_code == 404
