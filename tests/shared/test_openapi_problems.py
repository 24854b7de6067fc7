"""The OpenAPI documents say what the server sends on errors: problem+json for every
4xx (FastAPI documented its own 422 as application/json), a 401 wherever a key is
needed, a 413 wherever a body is read; and their examples can be replayed."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest

from tests.support import PROBLEM, Wicc

PUBLIC = {"/healthz", "/readyz", "/metrics", "/v1/asyncapi.json"}  # no key needed


async def documents(wicc: Wicc) -> dict[str, dict[str, Any]]:
    specs = {}
    for prefix in ("capacity", "flow", "escalation"):
        response = await wicc.client.get(f"/{prefix}/openapi.json")
        assert response.status_code == 200
        specs[prefix] = response.json()
    return specs


def operations(spec: dict[str, Any]) -> Iterator[tuple[str, str, dict[str, Any]]]:
    for path, methods in spec["paths"].items():
        for method, operation in methods.items():
            yield method, path, operation


@pytest.fixture
async def specs(wicc: Wicc) -> dict[str, dict[str, Any]]:
    return await documents(wicc)


def test_every_client_error_is_documented_as_problem_json(
    specs: dict[str, dict[str, Any]],
) -> None:
    for spec in specs.values():
        for method, path, operation in operations(spec):
            for status, response in operation["responses"].items():
                if status.startswith("4"):
                    assert list(response["content"]) == [PROBLEM], (method, path, status)
        assert "HTTPValidationError" not in spec.get("components", {}).get("schemas", {})


def test_keys_and_bodies_have_their_refusals_documented(
    specs: dict[str, dict[str, Any]],
) -> None:
    for spec in specs.values():
        for method, path, operation in operations(spec):
            documented = set(operation["responses"])
            if path not in PUBLIC:
                assert "401" in documented, (method, path)
            if "requestBody" in operation:
                assert {"413", "422"} <= documented, (method, path)


def test_no_two_operations_share_an_idempotency_key_example(
    specs: dict[str, dict[str, Any]],
) -> None:
    examples = [
        (method, path, parameter["schema"]["examples"][0])
        for spec in specs.values()
        for method, path, operation in operations(spec)
        for parameter in operation.get("parameters", [])
        if parameter["name"] == "Idempotency-Key"
    ]
    assert len(examples) >= 3  # the sitrep writes at least
    assert len({example for *_, example in examples}) == len(examples)
