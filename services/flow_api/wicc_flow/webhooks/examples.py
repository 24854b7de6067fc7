"""Response examples of the webhook API's OpenAPI schema (a test checks each against the
schema it documents)."""

from __future__ import annotations

from typing import Any

from wicc_shared.openapi import page_example

ENDPOINT_ID = "5b1f0c2e-8a47-4e0b-9d55-2f3c1a7e9b10"
ENDPOINT: dict[str, Any] = {
    "id": ENDPOINT_ID,
    "url": "https://integration.salisbury.nhs.example/wicc",
    "event_types": ["beds.updated", "sitrep.*"],
    "org": "RNZ",
    "system": None,
    "description": "Salisbury bed bureau",
    "enabled": True,
    "max_in_flight": 4,
    "owner": {"org": "RNZ", "system": "wiltshire"},
    "disabled_reason": None,
    "disabled_at": None,
    "failing_since": None,
    "paused_until": None,
    "secret_rotated_at": None,
    "previous_secret_until": None,
    "created_by": "c7287645-c31a-4479-bbbf-beb20b4e31e7",
    "created_at": "2026-12-10T09:12:03.118204Z",
    "updated_at": "2026-12-10T09:12:03.118204Z",
}
SECRET = "whsec_MfKQ9r8GKYqrTwjUPD8ILPZIo2LaLaSw"  # noqa: S105 (a documentation example)
ENDPOINT_CREATED: dict[str, Any] = {**ENDPOINT, "secret": SECRET}
ENDPOINTS: dict[str, Any] = page_example(ENDPOINT)
DISABLED_ENDPOINT: dict[str, Any] = {
    **ENDPOINT,
    "enabled": False,
    "disabled_reason": "gone",
    "disabled_at": "2026-12-11T02:40:19.004512Z",
    "updated_at": "2026-12-11T02:40:19.004512Z",
}
SECRET_ROTATED: dict[str, Any] = {
    "endpoint": {
        **ENDPOINT,
        "secret_rotated_at": "2026-12-12T10:00:00Z",
        "previous_secret_until": "2026-12-13T10:00:00Z",
        "updated_at": "2026-12-12T10:00:00Z",
    },
    "secret": "whsec_3q2+7w8GXwTtN0hm1ZP5Oq5v0yJj4yS1",
    "previous_secret_until": "2026-12-13T10:00:00Z",
}
PING: dict[str, Any] = {
    "event_id": "9e3a4c1d-2b7f-4d8e-a6c5-1f0e2d3c4b5a",
    "endpoint_id": ENDPOINT_ID,
    "requested_at": "2026-12-10T09:13:00Z",
}
DELIVERY: dict[str, Any] = {
    "id": "0c8d7e6f-5a4b-4c3d-9e2f-1a0b9c8d7e6f",
    "endpoint_id": ENDPOINT_ID,
    "event_id": "b9f812e8-d93a-45d7-a346-b7fbdf3b12bf",
    "event_type": "beds.updated",
    "subject": "units/RNZ-SURG",
    "seq": 1041,
    "origin": "event",
    "status": "pending",
    "attempts": 2,
    "next_attempt_at": "2026-12-10T09:19:07.441Z",
    "last_attempt_at": "2026-12-10T09:14:05.201Z",
    "response_code": 503,
    "reason": "http_503",
    "latency_ms": 41.7,
    "excerpt": "Service Unavailable",
    "created_at": "2026-12-10T09:14:00.012Z",
    "delivered_at": None,
}
DELIVERIES: dict[str, Any] = page_example(DELIVERY)
DELIVERY_DETAIL: dict[str, Any] = {
    **DELIVERY,
    "attempts_made": [
        {
            "number": 1,
            "started_at": "2026-12-10T09:14:00.020Z",
            "finished_at": "2026-12-10T09:14:00.061Z",
            "outcome": "failed",
            "reason": "http_503",
            "status_code": 503,
            "latency_ms": 40.2,
            "excerpt": "Service Unavailable",
        },
        {
            "number": 2,
            "started_at": "2026-12-10T09:14:05.201Z",
            "finished_at": "2026-12-10T09:14:05.243Z",
            "outcome": "failed",
            "reason": "http_503",
            "status_code": 503,
            "latency_ms": 41.7,
            "excerpt": "Service Unavailable",
        },
    ],
}
RETRIED: dict[str, Any] = {**DELIVERY, "next_attempt_at": "2026-12-10T09:15:30Z"}
REPLAYED: dict[str, Any] = {"queued": 37, "from_seq": 1041, "to_seq": 1902, "complete": True}
