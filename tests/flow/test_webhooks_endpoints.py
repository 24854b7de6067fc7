"""The endpoint API: what it accepts and refuses (problem+json naming the field), the
secret shown once and stored encrypted, safe retries, audit, deletion."""

from __future__ import annotations

from typing import Any

import pytest

from tests.flow.webhooks_api import ENDPOINTS, WEBHOOK_SETTINGS, create_endpoint
from tests.support import Wicc, fetch, field_names

URL = "http://127.0.0.1:9/hooks"  # nothing listens there; nothing is sent in these tests


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return WEBHOOK_SETTINGS


@pytest.mark.parametrize(
    ("fields", "named", "code"),
    [
        ({"event_types": ["beds.updatd"]}, "event_types.0", "unknown_event_type"),
        ({"event_types": ["beds.updated", "Beds!"]}, "event_types.1", "invalid_pattern"),
        ({"event_types": ["ambulance.*"]}, "event_types.0", "unknown_event_type"),
        ({"event_types": []}, "event_types", "too_short"),
        ({"org": "RNZ", "system": "wiltshire"}, "system", "org_and_system"),
        ({"org": "XXX"}, "org", "unknown"),
        ({"system": "nowhere"}, "system", "unknown"),
        ({"max_in_flight": 0}, "max_in_flight", "greater_than_equal"),
        ({"description": "x" * 501}, "description", "string_too_long"),
        ({"url": "not a url"}, "url", "malformed"),
        ({"url": "http://127.1/"}, "url", "ambiguous_host"),
        ({"secret": "whsec_chosen"}, "secret", "extra_forbidden"),
    ],
)
async def test_bad_fields_are_named(
    wicc: Wicc, fields: dict[str, Any], named: str, code: str
) -> None:
    body = {"url": URL, "event_types": ["beds.updated"]} | fields
    response = await wicc.client.post(ENDPOINTS, json=body, headers=wicc.auth())
    assert response.status_code == 422, response.text
    assert field_names(response) == {named}
    assert response.json()["errors"][0]["code"] == code


async def test_the_secret_is_shown_once_and_stored_encrypted(wicc: Wicc) -> None:
    created = await create_endpoint(wicc, URL, event_types=["sitrep.*", "beds.updated"])
    secret = created["secret"]
    assert created["event_types"] == ["beds.updated", "sitrep.*"]
    read = await wicc.client.get(f"{ENDPOINTS}/{created['id']}", headers=wicc.auth())
    assert "secret" not in read.json()
    listed = await wicc.client.get(ENDPOINTS, headers=wicc.auth())
    assert secret not in listed.text
    [row] = await fetch(wicc, "SELECT secret FROM flow.webhook_endpoint")
    assert secret not in row["secret"]
    assert not row["secret"].startswith("whsec_")
    audit = await fetch(
        wicc, "SELECT after::text FROM kernel.audit_log WHERE entity_id = $1", created["id"]
    )
    assert audit and all(secret not in entry[0] for entry in audit)


async def test_a_retried_create_returns_the_endpoint_without_its_secret(wicc: Wicc) -> None:
    body = {"url": URL, "event_types": ["beds.updated"]}
    headers = wicc.auth() | {"Idempotency-Key": "create-hook-1"}
    first = await wicc.client.post(ENDPOINTS, json=body, headers=headers)
    again = await wicc.client.post(ENDPOINTS, json=body, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json()["id"] == first.json()["id"]
    assert first.json()["secret"].startswith("whsec_")
    assert again.json()["secret"] is None
    assert len(await fetch(wicc, "SELECT id FROM flow.webhook_endpoint")) == 1
    stored = await fetch(wicc, "SELECT response::text FROM kernel.idempotency")
    assert first.json()["secret"] not in stored[0][0]


async def test_an_endpoint_is_changed_field_by_field(wicc: Wicc) -> None:
    created = await create_endpoint(wicc, URL, org="RNZ", description="bed bureau")
    path = f"{ENDPOINTS}/{created['id']}"
    changed = await wicc.client.patch(
        path, json={"event_types": ["sitrep.*"], "org": None}, headers=wicc.auth()
    )
    assert changed.status_code == 200, changed.text
    assert (changed.json()["event_types"], changed.json()["org"]) == (["sitrep.*"], None)
    assert changed.json()["description"] == "bed bureau"
    nulls = await wicc.client.patch(path, json={"url": None, "enabled": None}, headers=wicc.auth())
    assert nulls.status_code == 422
    assert field_names(nulls) == {"url", "enabled"}
    actions = [
        row[0]
        for row in await fetch(
            wicc,
            "SELECT action FROM kernel.audit_log WHERE entity_id = $1 ORDER BY id",
            created["id"],
        )
    ]
    assert actions == ["webhook_endpoint.created", "webhook_endpoint.updated"]


async def test_a_deleted_endpoint_is_gone_with_its_log(wicc: Wicc) -> None:
    created = await create_endpoint(wicc, URL)
    path = f"{ENDPOINTS}/{created['id']}"
    assert (await wicc.client.delete(path, headers=wicc.auth())).status_code == 204
    assert (await wicc.client.get(path, headers=wicc.auth())).status_code == 404
    assert (await wicc.client.get(f"{path}/deliveries", headers=wicc.auth())).status_code == 404
    [action] = await fetch(
        wicc, "SELECT action FROM kernel.audit_log WHERE action = 'webhook_endpoint.deleted'"
    )
    assert action[0] == "webhook_endpoint.deleted"


async def test_lists_are_paginated(wicc: Wicc) -> None:
    for _ in range(3):
        await create_endpoint(wicc, URL)
    page = await wicc.client.get(ENDPOINTS, params={"limit": 2}, headers=wicc.auth())
    body = page.json()
    assert (len(body["items"]), body["total"], body["limit"]) == (2, 3, 2)
    rest = await wicc.client.get(ENDPOINTS, params={"limit": 2, "offset": 2}, headers=wicc.auth())
    assert len(rest.json()["items"]) == 1
