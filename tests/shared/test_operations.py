"""Health, readiness, metrics, API docs and problem+json on every service."""

from __future__ import annotations

import asyncio

import pytest

from tests.support import Wicc

SERVICES = ["capacity", "flow", "escalation"]
# Versioned routes served without a key: documents that describe no data.
PUBLIC = {("flow", "/v1/asyncapi.json")}


@pytest.mark.parametrize("service", SERVICES)
async def test_operational_endpoints_under_each_prefix(wicc: Wicc, service: str) -> None:
    assert (await wicc.client.get(f"/{service}/healthz")).json() == {"status": "ok"}
    ready = await wicc.client.get(f"/{service}/readyz")
    assert ready.status_code == 200
    assert ready.json()["checks"]["postgres"] == "ok"
    assert ready.json()["checks"]["redis"] == "ok"
    metrics = await wicc.client.get(f"/{service}/metrics")
    assert "wicc_http_request_duration_seconds" in metrics.text
    docs = await wicc.client.get(f"/{service}/docs")
    assert docs.status_code == 200
    spec = (await wicc.client.get(f"/{service}/openapi.json")).json()
    assert spec["info"]["title"] == f"WICC {service}"


async def test_every_documented_operation_has_a_summary_and_problem_responses(
    wicc: Wicc,
) -> None:
    for service in SERVICES:
        spec = (await wicc.client.get(f"/{service}/openapi.json")).json()
        for path, operations in spec["paths"].items():
            for method, operation in operations.items():
                assert operation.get("summary"), (service, path, method)
                if path.startswith("/v1/") and (service, path) not in PUBLIC:
                    assert "401" in operation["responses"], (service, path, method)


async def test_unknown_route_is_problem_json(wicc: Wicc) -> None:
    # With a key: without one, every path of a service but its public ones is a 401.
    response = await wicc.client.get("/capacity/v1/nothing-here", headers=wicc.auth())
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.json()["type"] == "urn:wicc:problem:not-found"


@pytest.mark.parametrize("path", ["/", "/nowhere", "/capacityx/healthz", "/flow"])
async def test_a_path_outside_every_service_is_problem_json(wicc: Wicc, path: str) -> None:
    response = await wicc.client.get(path, headers=wicc.auth())
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"
    assert response.headers["x-request-id"]


async def test_request_metrics_are_labelled_by_service_and_route_template(wicc: Wicc) -> None:
    response = await wicc.client.get("/capacity/v1/orgs/RNZ", headers=wicc.auth())
    assert response.status_code == 200
    metrics = (await wicc.client.get("/capacity/metrics")).text
    assert (
        'wicc_http_request_duration_seconds_count{method="GET",route="/v1/orgs/{ods}",'
        'service="capacity",status="200"}'
    ) in metrics


async def test_wrong_method_is_problem_json(wicc: Wicc) -> None:
    response = await wicc.client.delete("/capacity/v1/orgs", headers=wicc.auth())
    assert response.status_code == 405
    assert response.json()["type"] == "urn:wicc:problem:method-not-allowed"


async def test_malformed_json_is_422_problem(wicc: Wicc) -> None:
    response = await wicc.client.put(
        "/capacity/v1/units/RNZ-AMU/beds",
        content=b"{not json",
        headers={**wicc.auth(), "content-type": "application/json"},
    )
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"


async def test_correlation_id_follows_a_request_into_its_event(wicc: Wicc) -> None:
    response = await wicc.client.put(
        "/capacity/v1/units/RN3-AMU/beds",
        json={"core_open": 5, "escalation_open": 0, "occupied": 4, "as_of": "2026-01-05T08:00:00Z"},
        headers={**wicc.auth(), "X-Request-ID": "trace-abc-123"},
    )
    assert response.status_code == 200
    assert response.headers["x-request-id"] == "trace-abc-123"
    for _ in range(100):
        events = await wicc.runtime.stream.read_after(0)
        if events:
            break
        await asyncio.sleep(0.05)
    assert events[0].correlationid == "trace-abc-123"


async def test_a_correlation_id_is_made_when_none_is_sent(wicc: Wicc) -> None:
    response = await wicc.client.get("/flow/healthz")
    assert len(response.headers["x-request-id"]) == 32


async def test_an_unreachable_database_is_503_not_500(redis_url: str) -> None:
    from tests.support import serve, settings_for

    nowhere = "postgresql://postgres@127.0.0.1:1/nowhere"
    async with serve(settings_for(nowhere, redis_url), wait_ready=False) as wicc:
        response = await wicc.client.get("/capacity/v1/orgs", headers=wicc.auth())
        assert response.status_code == 503
        assert response.headers["content-type"] == "application/problem+json"
        assert response.json()["type"] == "urn:wicc:problem:unavailable"
        assert response.headers["retry-after"] == "5"


async def test_malformed_json_names_the_body(wicc: Wicc) -> None:
    response = await wicc.client.put(
        "/capacity/v1/units/RNZ-AMU/beds",
        content=b"{not json",
        headers={**wicc.auth(), "content-type": "application/json"},
    )
    assert [e["field"] for e in response.json()["errors"]] == ["body"]


async def test_unknown_org_in_escalation_inputs_is_404(wicc: Wicc) -> None:
    response = await wicc.client.get("/escalation/v1/inputs/ZZZ/ga-occupancy", headers=wicc.auth())
    assert response.status_code == 404
