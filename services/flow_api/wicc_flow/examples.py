"""Response examples for the flow API's OpenAPI schema (from the demo system's real
responses; a test checks each against the schema it documents)."""

from __future__ import annotations

import json
from importlib import resources
from typing import Any

from wicc_shared.openapi import page_example

API_KEY: dict[str, Any] = {
    "id": "bd2fe773-dc69-4882-b032-7b76e0949344",
    "token_prefix": "wicc_ZRYzQ-U",
    "role": "bed_manager",
    "org": "RNZ",
    "system": None,
    "label": "Salisbury bed bureau",
    "created_by": "bootstrap-admin",
    "created_at": "2026-11-22T06:19:27.244859Z",
    "revoked_at": None,
}
API_KEY_CREATED: dict[str, Any] = {
    **API_KEY,
    "token": "wicc_ZRYzQ-UXae-aFVsjaQSp-Y3sL6K3wb8t4X2FrpI4moE",
}
API_KEYS: dict[str, Any] = page_example(API_KEY)
REVOKED_KEY: dict[str, Any] = {**API_KEY, "revoked_at": "2026-11-23T10:02:11.501230Z"}

BOARD: dict[str, Any] = {
    "seq": 1045,
    "generated_at": "2026-11-22T08:00:01.208960+00:00",
    "units": [
        {
            "unit_id": "RD1-AMU",
            "org": "RD1",
            "site": "RD130",
            "system": "wiltshire",
            "locality": "west",
            "bed_area": "adult_ga",
            "core_open": 44,
            "escalation_open": 0,
            "open": 44,
            "occupied": 37,
            "available": 7,
            "occupancy_pct": 84.1,
            "closed": [],
            "closed_total": 0,
            "as_of": "2026-11-22T07:55:00Z",
            "reported_by": "3f6c2a1e-0000-4000-8000-000000000001",
            "updated_at": "2026-11-22T07:55:02Z",
            "version": 12,
            "age_seconds": 301.2,
            "stale": False,
        }
    ],
    "orgs": [
        {
            "org": "RD1",
            "open": 198,
            "escalation_open": 6,
            "occupied": 177,
            "available": 21,
            "closed": 4,
            "stale_units": 0,
            "oldest_as_of": "2026-11-22T06:43:00Z",
            "occupancy_pct": 89.4,
        }
    ],
    "care": {
        "providers": [
            {
                "provider": "CP-HTLAH-N",
                "provider_name": "Help to Live at Home, North",
                "service_type": "dom_care",
                "localities": ["north"],
                "figures": [
                    {"category": None, "package_starts_per_day": 3, "spare_hours_per_week": 120.5}
                ],
                "as_of": "2026-11-22T07:00:00Z",
                "age_seconds": 3601.2,
                "freshness_hours": 12.0,
                "fresh_until": "2026-11-22T19:00:00Z",
                "stale": False,
                "version": 4,
                "system": "wiltshire",
            }
        ],
        "totals": [
            {
                "service_type": "dom_care",
                "category": None,
                "locality": "north",
                "providers": 1,
                "fresh_providers": 1,
                "stale_providers": 0,
                "fresh": {"package_starts_per_day": 3, "spare_hours_per_week": 120.5},
                "stale": {"package_starts_per_day": 0, "spare_hours_per_week": 0},
                "oldest_fresh_as_of": "2026-11-22T07:00:00Z",
            }
        ],
    },
}

# An excerpt: the served document has every event type and every schema.
ASYNCAPI: dict[str, Any] = {
    "asyncapi": "3.0.0",
    "id": "urn:wicc:events",
    "info": {
        "title": "WICC events",
        "version": "0.1.0",
        "description": "The events WICC publishes about health and social care capacity ...",
    },
    "defaultContentType": "application/json",
    "servers": {
        "wicc": {
            "host": "{host}",
            "protocol": "wss",
            "variables": {"host": {"default": "wicc.example.nhs.uk"}},
        }
    },
    "channels": {
        "board": {
            "address": "/flow/v1/board/ws",
            "title": "Live board",
            "messages": {
                "snapshot": {"payload": {"$ref": "#/components/schemas/SnapshotFrame"}},
                "beds.updated": {"name": "beds.updated", "title": "Event frame: beds.updated"},
            },
            "servers": [{"$ref": "#/servers/wicc"}],
        }
    },
    "operations": {
        "board.receive": {
            "action": "receive",
            "channel": {"$ref": "#/channels/board"},
            "messages": [
                {"$ref": "#/channels/board/messages/snapshot"},
                {"$ref": "#/channels/board/messages/beds.updated"},
            ],
        }
    },
    "components": {
        "messages": {
            "beds.updated": {
                "name": "beds.updated",
                "title": "beds.updated (version 1)",
                "summary": "A unit's bed figures changed",
                "contentType": "application/json",
                "payload": {"$ref": "#/components/schemas/BedsUpdatedEvent"},
                "correlationId": {"location": "$message.payload#/correlationid"},
                "x-wicc-version": 1,
            }
        },
        "schemas": {
            "BedsUpdatedEvent": {
                "allOf": [{"$ref": "#/components/schemas/Event"}],
                "properties": {
                    "type": {"const": "beds.updated"},
                    "dataschema": {"const": "urn:wicc:event:beds.updated:1"},
                    "data": {"$ref": "#/components/schemas/BedsUpdated"},
                },
            }
        },
    },
}

# A build and the demo system's summary, from a real `wicc run` with demo data (the
# summary's document is in wicc_flow/summaries/example_document.json).
SUMMARY_BUILD: dict[str, Any] = {
    "system": "wiltshire",
    "date": "2026-12-02",
    "version": 3,
    "built_at": "2026-12-02T14:57:44.957806Z",
    "trigger": "on_demand",
    "built_by": "bootstrap-admin",
    "stale_sources": 1,
    "href": "/flow/v1/summaries/wiltshire/2026-12-02?version=3",
}
SUMMARY_BUILDS: dict[str, Any] = page_example(
    SUMMARY_BUILD,
    {
        **SUMMARY_BUILD,
        "version": 2,
        "built_at": "2026-12-02T14:44:41.301957Z",
        "built_by": "system:cli",
        "href": "/flow/v1/summaries/wiltshire/2026-12-02?version=2",
    },
    total=3,
)
SUMMARY_DOCUMENT: dict[str, Any] = json.loads(
    resources.files("wicc_flow.summaries").joinpath("example_document.json").read_text()
)
SUMMARY_MARKDOWN = """\
# Daily system call: Wiltshire system (Bath and North East Somerset, Swindon and \
Wiltshire ICS), Wednesday 2 December 2026

> **STALE DATA: 1 source out of date. Check before relying on them.**
>
> - Care capacity: domiciliary care (capacity:/capacity/v1/care-capacity?service=dom\\_care): \
oldest figure 15 hours old (from Tue 1 Dec 23:43; stale after 12 hours).

_Age of the figures: Bed figures 2 hours to 3 hours; Care capacity 74 minutes to 15 hours; \
Sitrep returns 0 minutes._

## What changed

No movement above the thresholds since yesterday.

## OPEL

Not available.

## Beds

**Beds: adult general and acute**

|  | System | Great Western | Royal United Bath | Salisbury |
| --- | ---: | ---: | ---: | ---: |
| Occupancy (core + escalation) | 89.2 % | 89.4 % | 89.6 % | 88.5 % |
...
"""
SUMMARY_HTML = """\
<!DOCTYPE html>
<html lang="en-GB">
<head>
<meta charset="utf-8">
<title>Daily system call: Wiltshire system (...), Wednesday 2 December 2026</title>
<style>@page { size: A4; margin: 14mm 12mm 16mm 12mm; } ...</style>
</head>
<body>
<header><p class="kicker">WICC daily summary</p><h1>Daily system call: ...</h1></header>
<main>
<section class="stale-box" role="alert" aria-labelledby="stale-heading">...</section>
<section id="beds"><h2>Beds</h2><figure class="chart" id="chart-occupancy">
<div class="plot" role="img" aria-label="Occupancy by trust: ..."><svg ...>...</svg></div>
...
"""
