"""Care-package capacity: who may report and read, and unknown providers."""

from __future__ import annotations

import pytest

from tests.builders.care import PROVIDER, report
from tests.capacity.care_api import put
from tests.support import PROBLEM, Wicc


async def test_a_providers_key_cannot_report_for_another_provider(wicc: Wicc) -> None:
    north = await wicc.key("integration", org="CP-HTLAH-N")
    assert (await put(wicc, "CP-HTLAH-N", report("dom_care"), token=north)).status_code == 200

    response = await put(wicc, "CP-HTLAH-S", report("dom_care"), token=north)
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:wicc:problem:forbidden"
    assert "CP-HTLAH-S" in response.json()["detail"]


async def test_viewers_read_but_do_not_write(wicc: Wicc) -> None:
    viewer = await wicc.key("viewer", org="CP-HTLAH-N")
    assert (await put(wicc, "CP-HTLAH-N", report("dom_care"), token=viewer)).status_code == 403
    response = await wicc.client.get(
        "/capacity/v1/providers/CP-HTLAH-N/capacity", headers=wicc.auth(viewer)
    )
    assert response.status_code == 200


async def test_a_system_coordinator_may_report_for_any_provider(wicc: Wicc) -> None:
    coordinator = await wicc.key("coordinator", system="wiltshire")
    for service_type in ("dom_care", "care_home", "community_hospital"):
        response = await put(wicc, PROVIDER[service_type], report(service_type), token=coordinator)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/capacity/v1/providers/CP-NOWHERE/capacity"),
        ("GET", "/capacity/v1/providers/CP-NOWHERE/capacity"),
        ("GET", "/capacity/v1/providers/CP-NOWHERE/capacity/history"),
    ],
)
async def test_an_unknown_provider_is_404(wicc: Wicc, method: str, path: str) -> None:
    body = report("dom_care") if method == "PUT" else None
    response = await wicc.client.request(method, path, json=body, headers=wicc.auth())
    assert response.status_code == 404
    assert response.json()["type"] == "urn:wicc:problem:not-found"


async def test_reading_requires_a_key(wicc: Wicc) -> None:
    response = await wicc.client.get("/capacity/v1/care-capacity")
    assert response.status_code == 401
