"""OpenAPI helpers: problem+json error responses on every route, success examples."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import FastAPI
from fastapi.routing import APIRoute, RouteContext, iter_route_contexts

from wicc_shared.auth import needs_key
from wicc_shared.errors import PROBLEM_MEDIA_TYPE
from wicc_shared.idempotency import HEADER as IDEMPOTENCY_HEADER

_DESCRIPTIONS = {
    400: "Bad request",
    401: "No or unknown API key",
    403: "The key's role or scope forbids this",
    404: "Not found",
    409: "Conflicts with the recorded state",
    413: "The body is larger than the operation accepts (`payload-too-large`)",
    422: "Invalid fields (each named in `errors`)",
    503: "A dependency is unavailable",
}

# An operation's own body limit (the request guard's default is WICC_MAX_BODY_BYTES).
MAX_BODY_EXTENSION = "x-max-body-bytes"

_PROBLEM_SCHEMA: dict[str, Any] = {
    "type": "object",
    "required": ["type", "title", "status"],
    "properties": {
        "type": {"type": "string", "example": "urn:wicc:problem:validation-error"},
        "title": {"type": "string"},
        "status": {"type": "integer"},
        "detail": {"type": "string"},
        "instance": {"type": "string"},
        "correlation_id": {"type": "string"},
        "errors": {
            "type": "array",
            "items": {
                "type": "object",
                "properties": {
                    "field": {"type": "string"},
                    "message": {"type": "string"},
                    "location": {"type": "string"},
                    "code": {"type": "string"},
                    "pointer": {"type": "string"},
                },
            },
        },
    },
}


def problem_responses(*statuses: int) -> dict[int | str, dict[str, Any]]:
    return {
        status: {
            "description": _DESCRIPTIONS.get(status, "Error"),
            "content": {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_SCHEMA}},
        }
        for status in statuses
    }


def body_limit(max_bytes: int) -> dict[str, Any]:
    """`openapi_extra` giving an operation a body limit of its own."""
    return {MAX_BODY_EXTENSION: max_bytes}


def json_example(example: Any, description: str | None = None) -> dict[str, Any]:
    """A success response's documented example (and description, if not the default)."""
    response: dict[str, Any] = {"content": {"application/json": {"example": example}}}
    if description is not None:
        response["description"] = description
    return response


def page_example(*items: dict[str, Any], total: int | None = None) -> dict[str, Any]:
    """An example page of `items`, as every list endpoint returns it (`Page`)."""
    count = len(items) if total is None else total
    return {"items": list(items), "total": count, "limit": 100, "offset": 0}


def keep_null_examples(app: FastAPI) -> None:
    """Serve the documented response examples as written.

    FastAPI drops every null from the schema it generates, examples included, so an
    example of a response whose field is `null` would show the field missing (and be
    invalid against its own schema). This puts each route's examples back as declared.
    """
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        spec = generate()
        # How FastAPI itself walks the routes of included routers for the schema.
        for route in iter_route_contexts(app.routes):
            if isinstance(route.original_route, APIRoute) and route.path_format:
                _restore_examples(spec["paths"].get(route.path_format, {}), route)
        return spec

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented hook


def _restore_examples(operations: dict[str, Any], route: RouteContext) -> None:
    declared_responses: dict[int | str, dict[str, Any]] = route.responses
    for method in route.methods or ():
        responses = operations.get(method.lower(), {}).get("responses", {})
        for code, declared in declared_responses.items():
            documented = responses.get(str(code), {}).get("content", {})
            for media_type, media in declared.get("content", {}).items():
                if "example" in media and media_type in documented:
                    documented[media_type]["example"] = media["example"]


def document_problems(app: FastAPI) -> None:
    """Document every problem response as the server sends it: `application/problem+json`
    (FastAPI documents its own 422 as `application/json`), a 401 on every operation that
    needs a key and a 413 on every one with a body (the request guard answers those for
    any of them), and an `Idempotency-Key` example of each operation's own: replaying
    one operation's example key on another is refused (`idempotency-key-reused`)."""
    generate = app.openapi

    def openapi() -> dict[str, Any]:
        spec = generate()
        keyed = {
            (method.lower(), route.path_format)
            for route in iter_route_contexts(app.routes)
            if isinstance(route.original_route, APIRoute) and needs_key(route.original_route)
            for method in route.methods or ()
        }
        for path, operations in spec.get("paths", {}).items():
            for method, operation in operations.items():
                _document_operation(operation, method, path, (method, path) in keyed)
        schemas = spec.get("components", {}).get("schemas", {})
        for unused in ("HTTPValidationError", "ValidationError"):
            schemas.pop(unused, None)
        return spec

    app.openapi = openapi  # type: ignore[method-assign]  # FastAPI's documented hook


def _document_operation(operation: dict[str, Any], method: str, path: str, keyed: bool) -> None:
    responses = operation.setdefault("responses", {})
    statuses = {"401"} if keyed else set()
    if "requestBody" in operation:
        statuses |= {"413", "422"}
    if operation.get("parameters"):
        statuses.add("422")
    for status in statuses - set(responses):
        responses[status] = problem_responses(int(status))[int(status)]
    if "422" in responses:
        responses["422"]["content"] = {PROBLEM_MEDIA_TYPE: {"schema": _PROBLEM_SCHEMA}}
    for parameter in operation.get("parameters", []):
        if parameter.get("name") == IDEMPOTENCY_HEADER and "schema" in parameter:
            example = str(uuid.uuid5(uuid.NAMESPACE_URL, f"{method} {path}"))
            parameter["schema"]["examples"] = [example]
