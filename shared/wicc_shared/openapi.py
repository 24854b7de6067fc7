"""OpenAPI helpers: document problem+json error responses on every route."""

from __future__ import annotations

from typing import Any

from wicc_shared.errors import PROBLEM_MEDIA_TYPE

_DESCRIPTIONS = {
    400: "Bad request",
    401: "No or unknown API key",
    403: "The key's role or scope forbids this",
    404: "Not found",
    409: "Conflicts with the recorded state",
    422: "Invalid fields (each named in `errors`)",
    503: "A dependency is unavailable",
}

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
