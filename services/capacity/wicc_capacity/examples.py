"""Response examples for the capacity API's OpenAPI schema.

Taken from the demo system's real responses (ids and times made tidy); a test checks
every example against the schema it documents, so they cannot drift from the models.
"""

from __future__ import annotations

from typing import Any

from wicc_capacity.sitreps.schemas import FIGURES_EXAMPLE
from wicc_shared.openapi import page_example

REPORTER = "3f6c2a1e-0000-4000-8000-000000000001"


ORG: dict[str, Any] = {
    "ods": "RNZ",
    "name": "Salisbury NHS Foundation Trust",
    "kind": "acute",
    "system": "wiltshire",
    "locality": "south",
    "sites": [
        {
            "code": "RNZ02",
            "name": "Salisbury District Hospital",
            "locality": "south",
            "units": [
                {
                    "id": "RNZ-AMU",
                    "name": "Acute Medical Unit",
                    "bed_area": "adult_ga",
                    "baseline_beds": 36,
                }
            ],
        }
    ],
}

BEDS: dict[str, Any] = {
    "unit_id": "RNZ-AMU",
    "org": "RNZ",
    "site": "RNZ02",
    "bed_area": "adult_ga",
    "core_open": 36,
    "escalation_open": 2,
    "open": 38,
    "occupied": 35,
    "available": 3,
    "occupancy_pct": 92.1,
    "closed": [{"reason": "infection_control", "count": 2}],
    "closed_total": 2,
    "as_of": "2026-11-22T08:00:00Z",
    "age_seconds": 0.2,
    "reported_by": REPORTER,
    "updated_at": "2026-11-22T08:00:00.212000Z",
    "version": 42,
}

_NO_CARE = {
    "slots": None,
    "beds_max": None,
    "beds_occupied": None,
    "beds_vacant_reserved": None,
    "beds_vacant_accepting": None,
}
_DOM_CARE_COUNTS = {"package_starts_per_day": 3, "spare_hours_per_week": 120.5, **_NO_CARE}
_CARE_FIGURE: dict[str, Any] = {
    "provider": "CP-HTLAH-N",
    "provider_name": "Help to Live at Home, North",
    "service_type": "dom_care",
    "category": None,
    "localities": ["north"],
    **_DOM_CARE_COUNTS,
    "as_of": "2026-11-22T08:00:00Z",
    "age_seconds": 300.0,
    "fresh_until": "2026-11-22T20:00:00Z",
    "stale": False,
    "reported_by": REPORTER,
    "updated_at": "2026-11-22T08:05:00Z",
    "version": 7,
}

PROVIDER_CAPACITY: dict[str, Any] = {
    "provider": "CP-HTLAH-N",
    "provider_name": "Help to Live at Home, North",
    "services": [{"service_type": "dom_care", "localities": ["north"]}],
    "items": [_CARE_FIGURE],
}

CARE_HISTORY: dict[str, Any] = page_example(
    {
        **_DOM_CARE_COUNTS,
        "service_type": "dom_care",
        "category": None,
        "as_of": "2026-11-22T08:00:00Z",
        "reported_by": REPORTER,
        "recorded_at": "2026-11-22T08:05:00Z",
    }
)

CARE_CAPACITY: dict[str, Any] = {
    **page_example(_CARE_FIGURE),
    "as_at": "2026-11-22T08:05:00Z",
    "totals": [
        {
            "service_type": "dom_care",
            "category": None,
            "locality": "north",
            "providers": 2,
            "fresh_providers": 1,
            "stale_providers": 1,
            "fresh": _DOM_CARE_COUNTS,
            "stale": {"package_starts_per_day": 1, "spare_hours_per_week": 30.0, **_NO_CARE},
            "oldest_fresh_as_of": "2026-11-22T08:00:00Z",
        }
    ],
}

# As the request example, with the JSON numbers as stored.
_SITREP_FIGURES: dict[str, Any] = {
    **FIGURES_EXAMPLE,
    "ed": {**FIGURES_EXAMPLE["ed"], "median_time_to_treatment_minutes": 95.0},
}

SITREP: dict[str, Any] = {
    "id": "284f0519-20ac-446b-b55b-330fa5d1484b",
    "org": "RNZ",
    "date": "2026-11-23",
    "version": 1,
    "figures": _SITREP_FIGURES,
    "totals": {
        "open": 404,
        "occupied": 393,
        "occupancy_pct": 97.3,
        "escalation_open": 12,
        "nctr_pct_of_occupied": 15.8,
    },
    "submitted_by": REPORTER,
    "submitted_at": "2026-11-23T09:42:10Z",
    "amended_at": None,
    "deadline": "2026-11-23T11:00:00Z",
    "late": False,
    "amendable_until": "2026-12-08T00:00:00Z",
}

AMENDED_SITREP: dict[str, Any] = {
    **SITREP,
    "version": 2,
    "amended_at": "2026-11-23T14:05:00Z",
}

SITREP_VERSIONS: dict[str, Any] = page_example(
    {
        "version": 1,
        "figures": _SITREP_FIGURES,
        "submitted_by": REPORTER,
        "reason": None,
        "created_at": "2026-11-23T09:42:10Z",
    },
    {
        "version": 2,
        "figures": {**_SITREP_FIGURES, "nctr_patients": 58},
        "submitted_by": REPORTER,
        "reason": "NCTR count corrected after the ward round",
        "created_at": "2026-11-23T14:05:00Z",
    },
)

SITREP_STATUS: dict[str, Any] = {
    **page_example(
        {
            "org": "RNZ",
            "name": "Salisbury NHS Foundation Trust",
            "kind": "acute",
            "locality": "south",
            "status": "submitted",
            "submitted_at": "2026-11-23T09:42:10Z",
            "amended_at": None,
            "version": 1,
        },
        {
            "org": "RD1",
            "name": "Royal United Hospitals Bath NHS Foundation Trust",
            "kind": "acute",
            "locality": "west",
            "status": "missing",
            "submitted_at": None,
            "amended_at": None,
            "version": None,
        },
        total=5,
    ),
    "system": "wiltshire",
    "date": "2026-11-23",
    "deadline": "2026-11-23T11:00:00Z",
    "counts": {"submitted": 3, "late": 0, "missing": 2, "pending": 0},
}

BULK_RESULT: dict[str, Any] = {
    "accepted": [
        {
            "row": 2,
            "org": "RNZ",
            "date": "2026-11-23",
            "id": "182a751b-9728-4bfd-8944-3d4f0cc183fa",
            "version": 1,
            "outcome": "created",
        }
    ],
    "rejected": [
        {
            "row": 3,
            "org": "RN3",
            "date": "2026-11-23",
            "type": "urn:wicc:problem:validation-error",
            "status": 422,
            "detail": "Invalid cell(s): adult_ga_core_occupied",
            "errors": [
                {
                    "field": "adult_ga_core_occupied",
                    "message": "core_occupied (215) exceeds core_open (210)",
                    "code": "occupied_exceeds_open",
                }
            ],
        }
    ],
    "accepted_count": 1,
    "rejected_count": 1,
}


# Bed roll-ups, bed-level status and a unit's history.
ROLLUP_FIGURES: dict[str, Any] = {
    "core_open": 28,
    "escalation_open": 2,
    "open": 30,
    "occupied": 27,
    "available": 3,
    "occupancy_pct": 90.0,
    "closed": [{"reason": "infection_control", "count": 2}],
    "closed_total": 2,
}
_ROLLUP_FRESHNESS: dict[str, Any] = {
    "oldest_as_of": "2026-11-22T08:00:00Z",
    "newest_as_of": "2026-11-22T09:30:00Z",
    "age_seconds": 7200.0,
    "stale": False,
}
_ROLLUP: dict[str, Any] = {
    "figures": ROLLUP_FIGURES,
    "units_total": 2,
    "units_reporting": 1,
    "units_not_reporting": ["RNZ-MED-B"],
    **_ROLLUP_FRESHNESS,
}
ROLLUPS: dict[str, Any] = {
    "generated_at": "2026-11-22T10:00:00Z",
    "stale_after_hours": 24.0,
    "units": [
        {
            "unit_id": "RNZ-MED-A",
            "name": "Medical Ward A",
            "site": "RNZ02",
            "org": "RNZ",
            "system": "wiltshire",
            "bed_area": "adult_ga",
            "reporting": True,
            "figures": ROLLUP_FIGURES,
            "as_of": "2026-11-22T08:00:00Z",
            "age_seconds": 7200.0,
            "stale": False,
            "reported_by": "3f6c2a1e-0000-4000-8000-000000000001",
        },
        {
            "unit_id": "RNZ-MED-B",
            "name": "Medical Ward B",
            "site": "RNZ02",
            "org": "RNZ",
            "system": "wiltshire",
            "bed_area": "adult_ga",
            "reporting": False,
            "figures": None,
            "as_of": None,
            "age_seconds": None,
            "stale": False,
            "reported_by": None,
        },
    ],
    "sites": [
        {
            "site": "RNZ02",
            "name": "Salisbury District Hospital",
            "org": "RNZ",
            "system": "wiltshire",
            **_ROLLUP,
        }
    ],
    "areas": [
        {
            "org": "RNZ",
            "bed_area": "adult_ga",
            "system": "wiltshire",
            "source": "units",
            **_ROLLUP,
        }
    ],
    "organisations": [
        {
            "org": "RNZ",
            "name": "Salisbury NHS Foundation Trust",
            "system": "wiltshire",
            **_ROLLUP,
        }
    ],
    "systems": [{"system": "wiltshire", "name": "Wiltshire system", **_ROLLUP}],
}


BED: dict[str, Any] = {
    "unit_id": "RNZ-MED-A",
    "bed_id": "B12",
    "status": "O",
    "escalation": False,
    "as_of": "2026-11-22T08:00:00Z",
    "age_seconds": 0.3,
    "reported_by": "3f6c2a1e-0000-4000-8000-000000000001",
    "updated_at": "2026-11-22T08:00:00.301551Z",
}
BED_STATUS: dict[str, Any] = {
    "bed": BED,
    "unit": {
        "unit_id": "RNZ-MED-A",
        "org": "RNZ",
        "site": "RNZ02",
        "bed_area": "adult_ga",
        "core_open": 26,
        "escalation_open": 1,
        "open": 27,
        "occupied": 25,
        "available": 2,
        "occupancy_pct": 92.6,
        "closed": [{"reason": "infection_control", "count": 1}],
        "closed_total": 1,
        "as_of": "2026-11-22T08:00:00Z",
        "age_seconds": 0.3,
        "reported_by": "3f6c2a1e-0000-4000-8000-000000000001",
        "updated_at": "2026-11-22T08:00:00.301551Z",
        "version": 41,
    },
    "beds_by_status": {"C": 0, "H": 1, "I": 1, "K": 0, "O": 24, "U": 2},
}

BED_RETIRED: dict[str, Any] = {
    "retired": "B12",
    "unit": {
        **BED_STATUS["unit"],
        "core_open": 25,
        "open": 26,
        "occupied": 24,
        "occupancy_pct": 92.3,
        "reported_by": "bootstrap-admin",
        "version": 42,
    },
    "beds_by_status": {"C": 0, "H": 1, "I": 1, "K": 0, "O": 23, "U": 2},
}
BED_LEVEL_ENDED: dict[str, Any] = {"unit_id": "RNZ-MED-A", "retired": ["B11", "B12", "B14"]}

BED_HISTORY_ENTRY: dict[str, Any] = {
    "unit_id": "RNZ-AMU",
    "core_open": 28,
    "escalation_open": 2,
    "open": 30,
    "occupied": 27,
    "available": 3,
    "occupancy_pct": 90.0,
    "closed": [{"reason": "staffing", "count": 1}],
    "closed_total": 1,
    "as_of": "2026-11-22T08:00:00Z",
    "age_seconds": 3600.0,
    "reported_by": "3f6c2a1e-0000-4000-8000-000000000001",
    "recorded_at": "2026-11-22T08:02:11Z",
}
