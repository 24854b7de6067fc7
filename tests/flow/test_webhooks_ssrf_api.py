"""No server-side request forgery, through the API: internal addresses are refused when
an endpoint is created or changed (422 naming `url`), and again at every delivery.

WICC_WEBHOOK_ALLOW_PRIVATE is off here, as in production. Names are resolved by a table
the test installs, and the refused addresses are refused before any connection: nothing
here connects anywhere.
"""

from __future__ import annotations

from typing import Any

import pytest

from tests.flow.webhooks_api import ENDPOINTS, deliveries, table_resolver, until
from tests.support import Wicc, fetch, field_names
from wicc_flow.state import FlowState

RESOLVES = {
    "loopback.trust.test": ["127.0.0.1"],
    "private.trust.test": ["10.0.0.1"],
    "metadata.trust.test": ["169.254.169.254"],
    "v6loopback.trust.test": ["::1"],
    "mixed.trust.test": ["8.8.8.8", "10.0.0.1"],
}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return {"webhook_allow_private": False, "webhook_poll_seconds": 0.05}


@pytest.fixture(autouse=True)
def no_real_dns(wicc: Wicc) -> None:
    wicc.state(FlowState).webhooks.config.resolve = table_resolver(RESOLVES)


@pytest.mark.parametrize(
    ("url", "code"),
    [
        ("http://127.0.0.1/hooks", "blocked_address"),
        ("http://10.0.0.1/hooks", "blocked_address"),
        ("http://169.254.169.254/latest/meta-data", "cloud_metadata"),
        ("http://[::1]/hooks", "blocked_address"),
        ("http://loopback.trust.test/hooks", "blocked_address"),
        ("http://private.trust.test/hooks", "blocked_address"),
        ("http://metadata.trust.test/hooks", "cloud_metadata"),
        ("http://v6loopback.trust.test/hooks", "blocked_address"),
        ("http://mixed.trust.test/hooks", "blocked_address"),
        ("http://localhost:8000/hooks", "blocked_address"),
        ("http://nowhere.trust.test/hooks", "unresolvable"),
        ("ftp://hooks.trust.test/", "scheme"),
        ("http://user:pw@hooks.trust.test/", "credentials"),
    ],
)
async def test_internal_addresses_are_refused_at_creation(wicc: Wicc, url: str, code: str) -> None:
    body = {"url": url, "event_types": ["beds.updated"]}
    response = await wicc.client.post(ENDPOINTS, json=body, headers=wicc.auth())
    assert response.status_code == 422, response.text
    assert field_names(response) == {"url"}
    assert response.json()["errors"][0]["code"] == code
    assert await fetch(wicc, "SELECT id FROM flow.webhook_endpoint") == []


async def test_a_changed_url_is_checked_again(wicc: Wicc) -> None:
    config = wicc.state(FlowState).webhooks.config
    config.resolve = table_resolver(RESOLVES | {"hooks.trust.test": ["8.8.8.8"]})
    body = {"url": "http://hooks.trust.test/wicc", "event_types": ["beds.updated"]}
    created = await wicc.client.post(ENDPOINTS, json=body, headers=wicc.auth())
    assert created.status_code == 201, created.text
    path = f"{ENDPOINTS}/{created.json()['id']}"
    changed = await wicc.client.patch(
        path, json={"url": "http://[::ffff:127.0.0.1]/"}, headers=wicc.auth()
    )
    assert changed.status_code == 422
    assert field_names(changed) == {"url"}


async def test_a_name_that_now_resolves_inside_is_refused_at_delivery(wicc: Wicc) -> None:
    """DNS rebinding: public when the endpoint was created, internal when it is called.
    The attempt fails before any connection; nothing is sent."""
    config = wicc.state(FlowState).webhooks.config
    config.resolve = table_resolver(RESOLVES | {"hooks.trust.test": ["8.8.8.8"]})
    body = {"url": "http://hooks.trust.test/wicc", "event_types": ["beds.updated"]}
    created = await wicc.client.post(ENDPOINTS, json=body, headers=wicc.auth())
    assert created.status_code == 201, created.text
    config.resolve = table_resolver(RESOLVES | {"hooks.trust.test": ["169.254.169.254"]})

    await wicc.put_beds("RNZ-AMU")

    async def refused() -> bool:
        found = await deliveries(wicc, created.json()["id"])
        return bool(found) and found[0]["reason"] == "blocked_address"

    await until(refused, what="the delivery to be refused")
    [delivery] = await deliveries(wicc, created.json()["id"])
    assert delivery["response_code"] is None
    assert "cloud metadata" in delivery["excerpt"]
    assert delivery["status"] == "pending"  # retried on the schedule, checked each time
