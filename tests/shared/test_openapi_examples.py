"""Every documented operation shows an example of its success response, and every
example in the schemas (requests and responses) is valid against what it documents."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import jsonschema  # type: ignore[import-untyped]
import pytest

from tests.support import Wicc

SERVICES = ("capacity", "flow", "escalation")
Spec = dict[str, Any]


async def _spec(wicc: Wicc, service: str) -> Spec:
    spec: Spec = (await wicc.client.get(f"/{service}/openapi.json")).json()
    return spec


def _operations(spec: Spec) -> Iterator[tuple[str, dict[str, Any]]]:
    for path, operations in spec["paths"].items():
        for method, operation in operations.items():
            yield f"{method.upper()} {path}", operation


def _component(spec: Spec, schema: dict[str, Any]) -> dict[str, Any] | None:
    ref = schema.get("$ref")
    return spec["components"]["schemas"][ref.rsplit("/", 1)[1]] if ref else None


def _has_example(spec: Spec, media: dict[str, Any]) -> bool:
    if "example" in media or "examples" in media:
        return True
    component = _component(spec, media.get("schema", {}))
    return component is not None and "examples" in component


def _check(spec: Spec, schema: dict[str, Any], example: Any, where: str) -> None:
    # The spec as the root document, so `#/components/...` references resolve.
    root = {**schema, "components": spec["components"]}
    try:
        jsonschema.Draft202012Validator(root).validate(example)
    except jsonschema.ValidationError as error:
        pytest.fail(f"{where}: {error.message} at {list(error.absolute_path)}")


def _media_examples(operation: dict[str, Any]) -> Iterator[tuple[str, dict[str, Any], Any]]:
    """(where, schema, example) for each JSON example of a request body or response."""
    bodies = [("request", operation.get("requestBody", {}))]
    bodies += [(f"response {code}", r) for code, r in operation["responses"].items()]
    for label, body in bodies:
        for media_type, media in body.get("content", {}).items():
            if "json" not in media_type:
                continue
            examples = [media["example"]] if "example" in media else []
            examples += [e["value"] for e in media.get("examples", {}).values()]
            for example in examples:
                yield f"{label} {media_type}", media.get("schema", {}), example


@pytest.mark.parametrize("service", SERVICES)
async def test_every_success_response_has_an_example(wicc: Wicc, service: str) -> None:
    spec = await _spec(wicc, service)
    missing = [
        f"{name} {code} {media_type}"
        for name, operation in _operations(spec)
        for code, response in operation["responses"].items()
        if code.startswith("2")
        for media_type, media in response.get("content", {}).items()
        if not _has_example(spec, media)
    ]
    assert missing == []


@pytest.mark.parametrize("service", SERVICES)
async def test_every_example_matches_its_schema(wicc: Wicc, service: str) -> None:
    spec = await _spec(wicc, service)
    checked = 0
    for name, operation in _operations(spec):
        for where, schema, example in _media_examples(operation):
            _check(spec, schema, example, f"{name} {where}")
            checked += 1
    for name, component in spec["components"]["schemas"].items():
        for example in component.get("examples", []):
            _check(spec, component, example, f"component {name}")
            checked += 1
    assert checked > 0


def test_a_wrong_example_is_caught() -> None:
    spec: Spec = {"components": {"schemas": {"N": {"type": "integer", "minimum": 0}}}}
    with pytest.raises(pytest.fail.Exception, match="negative: -1 is less than the minimum"):
        _check(spec, {"$ref": "#/components/schemas/N"}, -1, "negative")
