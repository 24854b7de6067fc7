"""Request and response examples of the patient-flow API's OpenAPI schema (a test checks
each against the schema it documents). The NHS number is the data dictionary's example
number, not a person's."""

from __future__ import annotations

from typing import Any

PATIENT_ID = "6f1c2b8e-3d4a-4f5b-9c8d-7e6f5a4b3c2d"

PATIENT_CREATE: dict[str, Any] = {
    "org": "RNZ",
    "unit_id": "RNZ-MED-A",
    "local_ref": "SDH-2026-004417",
    "nhs_number": "943 476 5919",
    "admitted_at": "2026-11-14T16:20:00Z",
    "discharge_ready_date": "2026-11-19",
    "pathway": 1,
    "destination_locality": "south",
    "expected_discharge_date": "2026-11-25",
    "delays": [
        {"reason": "p1_care_at_home", "responsible": "social_care", "from": "2026-11-19"},
        {"reason": "equipment", "from": "2026-11-20", "to": "2026-11-22"},
    ],
}
PATIENT_PATCH: dict[str, Any] = {
    "pathway": 2,
    "delays": [{"reason": "p2_bed", "responsible": "both", "from": "2026-11-21"}],
}
DISCHARGE: dict[str, Any] = {
    "discharged_at": "2026-11-23T14:05:00Z",
    "destination": "usual_residence_with_support",
}
WITHDRAW: dict[str, Any] = {
    "withdrawn_at": "2026-11-22T09:30:00Z",
    "reason": "met_criteria_to_reside",
}

PATIENT: dict[str, Any] = {
    "id": PATIENT_ID,
    "org": "RNZ",
    "system": "wiltshire",
    "unit_id": "RNZ-MED-A",
    "local_ref": "SDH-2026-004417",
    "nhs_number": "9434765919",
    "has_nhs_number": True,
    "admitted_at": "2026-11-14T16:20:00Z",
    "discharge_ready_date": "2026-11-19",
    "expected_discharge_date": "2026-11-25",
    "pathway": 1,
    "destination_locality": "south",
    "delays": [
        {
            "reason": "p1_care_at_home",
            "national_reason": "p1_care_at_home",
            "dtoc": "E",
            "responsible": "social_care",
            "from": "2026-11-19",
            "to": None,
        },
        {
            "reason": "equipment",
            "national_reason": "equipment",
            "dtoc": "F",
            "responsible": "both",
            "from": "2026-11-20",
            "to": "2026-11-22",
        },
    ],
    "current_delay": "p1_care_at_home",
    "status": "ready",
    "days_since_ready": 4,
    "discharged_at": None,
    "destination": None,
    "withdrawn_at": None,
    "withdrawn_reason": None,
    "version": 1,
    "created_at": "2026-11-23T08:12:40.118Z",
    "updated_at": "2026-11-23T08:12:40.118Z",
    "as_of": "2026-11-23T08:12:40.118Z",
}
PATIENT_PATCHED: dict[str, Any] = {
    **PATIENT,
    "pathway": 2,
    "delays": [
        {
            "reason": "p2_bed",
            "national_reason": "p2_bed",
            "dtoc": "C",
            "responsible": "both",
            "from": "2026-11-21",
            "to": None,
        }
    ],
    "current_delay": "p2_bed",
    "version": 2,
    "updated_at": "2026-11-23T09:01:12.500Z",
    "as_of": "2026-11-23T09:01:12.500Z",
}
PATIENT_DISCHARGED: dict[str, Any] = {
    **PATIENT_PATCHED,
    "status": "discharged",
    "discharged_at": "2026-11-23T14:05:00Z",
    "destination": "usual_residence_with_support",
    "version": 3,
    "updated_at": "2026-11-23T14:06:02.001Z",
    "as_of": "2026-11-23T14:06:02.001Z",
}
PATIENT_WITHDRAWN: dict[str, Any] = {
    **PATIENT,
    "status": "withdrawn",
    "days_since_ready": 3,
    "current_delay": "p1_care_at_home",
    "withdrawn_at": "2026-11-22T09:30:00Z",
    "withdrawn_reason": "met_criteria_to_reside",
    "version": 2,
    "updated_at": "2026-11-22T09:31:10.250Z",
    "as_of": "2026-11-22T09:31:10.250Z",
}

CSV = (
    "local_ref,nhs_number,unit_id,admitted_at,discharge_ready_date,pathway,"
    "destination_locality,expected_discharge_date,delay1_reason,delay1_from,delay1_to\n"
    "SDH-2026-004417,943 476 5919,RNZ-MED-A,2026-11-14T16:20:00Z,2026-11-19,1,south,"
    "2026-11-25,p1_care_at_home,2026-11-19,\n"
    "SDH-2026-004502,,RNZ-MED-B,2026-11-18T02:10:00Z,2026-11-21,3,west,,"
    "p3_care_home.nursing,2026-11-21,\n"
)
IMPORT_RESULT: dict[str, Any] = {
    "org": "RNZ",
    "mode": "snapshot",
    "created": 1,
    "updated": 0,
    "unchanged": 1,
    "closed": 1,
    "rows": [
        {"line": 2, "local_ref": "SDH-2026-004417", "id": PATIENT_ID, "outcome": "unchanged"},
        {
            "line": 3,
            "local_ref": "SDH-2026-004502",
            "id": "0b7e4c1a-9f2d-4e3b-8a6c-5d4e3f2a1b0c",
            "outcome": "created",
        },
    ],
    "closed_records": [
        {"id": "c3d2e1f0-a9b8-4c7d-8e6f-5a4b3c2d1e0f", "local_ref": "SDH-2026-003980"}
    ],
}

DELAY_REASONS: dict[str, Any] = {
    "version": "delay-reasons-v1",
    "nctr": [
        {
            "code": "p3_care_home",
            "number": 15,
            "name": "Pathway 3: awaiting a residential or nursing home bed",
            "national": "p3_care_home",
            "responsible": "social_care",
            "dtoc": "Di",
            "local": False,
        },
        {
            "code": "p3_care_home.nursing",
            "number": 15,
            "name": "Awaiting a nursing home bed",
            "national": "p3_care_home",
            "responsible": "both",
            "dtoc": "Dii",
            "local": True,
        },
    ],
    "dtoc": [
        {
            "code": "Dii",
            "name": "Awaiting nursing home placement or availability",
            "responsible": "both",
        }
    ],
}

DAY_RECORD: dict[str, Any] = {
    "colour": "red",
    "reason": "awaiting_care_package",
    "recorded_by": "Ward B nurse in charge",
}
DAY: dict[str, Any] = {
    "patient_id": PATIENT_ID,
    "date": "2026-11-23",
    "org": "RNZ",
    "unit_id": "RNZ-MED-A",
    "colour": "red",
    "reason": "awaiting_care_package",
    "reason_group": "external",
    "recorded_by": "Ward B nurse in charge",
    "recorded_at": "2026-11-23T10:42:17.330Z",
}
RED_GREEN: dict[str, Any] = {
    "items": [
        {
            "org": "RNZ",
            "unit_id": "RNZ-MED-A",
            "date": "2026-11-23",
            "patients": 12,
            "green": 7,
            "red": 4,
            "not_recorded": 1,
            "green_pct": 58.3,
            "red_internal": 1,
            "red_external": 3,
            "red_by_reason": [
                {"reason": "awaiting_care_package", "group": "external", "patients": 2},
                {"reason": "awaiting_community_bed", "group": "external", "patients": 1},
                {"reason": "awaiting_test_result", "group": "internal", "patients": 1},
            ],
        }
    ],
    "total": 1,
    "limit": 100,
    "offset": 0,
    "date": "2026-11-23",
    "as_of": "2026-11-23T16:00:02.412Z",
}

_BANDS = ("0", "1", "2-3", "4-6", "7-13", "14-20", "21+")


def _bands(**figures: tuple[int, int]) -> list[dict[str, Any]]:
    return [
        {
            "band": band,
            "patients": figures.get(band, (0, 0))[0],
            "bed_days": figures.get(band, (0, 0))[1],
        }
        for band in _BANDS
    ]


DISCHARGE_SITREP: dict[str, Any] = {
    "org": "RNZ",
    "system": "wiltshire",
    "date": "2026-11-23",
    "as_of": "2026-11-23T16:00:00.218Z",
    "reasons_version": "delay-reasons-v1",
    "nctr_patients": 52,
    "discharged": 9,
    "remaining": 43,
    "by_pathway": [
        {"pathway": 0, "nctr_patients": 17, "discharged": 6, "remaining": 11},
        {"pathway": 1, "nctr_patients": 21, "discharged": 2, "remaining": 19},
        {"pathway": 2, "nctr_patients": 9, "discharged": 1, "remaining": 8},
        {"pathway": 3, "nctr_patients": 5, "discharged": 0, "remaining": 5},
    ],
    "by_reason": [
        {"reason": "p1_care_at_home", "remaining": 17},
        {"reason": "p2_bed", "remaining": 8},
        {"reason": "p3_care_home", "remaining": 5},
        {"reason": "none_recorded", "remaining": 13},
    ],
    "discharged_bands": _bands(**{"0": (5, 0), "1": (2, 2), "2-3": (2, 5)}),
    "remaining_bands": _bands(
        **{
            "0": (4, 0),
            "1": (6, 6),
            "2-3": (9, 22),
            "4-6": (10, 50),
            "7-13": (9, 85),
            "14-20": (3, 49),
            "21+": (2, 55),
        }
    ),
    "capacity_sitrep": {"reported": 49, "difference": 3, "differs": True},
}
DISCHARGE_SITREP_CSV = (
    "org,date,measure,breakdown,category,value\r\n"
    "RNZ,2026-11-23,nctr_patients,all,,52\r\n"
    "RNZ,2026-11-23,discharged,all,,9\r\n"
    "RNZ,2026-11-23,remaining,all,,43\r\n"
    "RNZ,2026-11-23,nctr_patients,pathway,0,17\r\n"
)

LOST_BED_DAYS: dict[str, Any] = {
    "system": "wiltshire",
    "from": "2026-11-01",
    "to": "2026-11-30",
    "by": "reason",
    "reasons": "dtoc",
    "reasons_version": "delay-reasons-v1",
    "today": "2026-12-02",
    "bed_days": 1874,
    "patients": 311,
    "groups": [
        {"key": "A", "name": "Awaiting completion of assessment", "bed_days": 212, "patients": 64},
        {"key": "E", "name": "Awaiting care package in own home", "bed_days": 731, "patients": 118},
        {"key": "none_recorded", "name": None, "bed_days": 931, "patients": 203},
    ],
    "as_of": "2026-12-02T09:00:00.051Z",
}

DEMAND_CAPACITY: dict[str, Any] = {
    "system": "wiltshire",
    "as_of": "2026-11-23T09:15:00.004Z",
    "cells": [
        {
            "locality": "north",
            "pathway": 1,
            "waiting": 14,
            "fresh_free": 5,
            "stale_free": 2,
            "gap": 9,
            "oldest_fresh_as_of": "2026-11-23T07:30:00Z",
            "age_seconds": 6300.0,
            "lines": [
                {
                    "service_type": "dom_care",
                    "category": None,
                    "fresh_free": 3,
                    "stale_free": 2,
                    "oldest_fresh_as_of": "2026-11-23T07:30:00Z",
                    "figures": [
                        {
                            "provider": "CP-HTLAH-N",
                            "as_of": "2026-11-23T07:30:00Z",
                            "age_seconds": 6300.0,
                            "stale": False,
                            "free": 3,
                        },
                        {
                            "provider": "CP-DEMO-2",
                            "as_of": "2026-11-22T06:00:00Z",
                            "age_seconds": 98100.0,
                            "stale": True,
                            "free": 2,
                        },
                    ],
                },
                {
                    "service_type": "reablement",
                    "category": None,
                    "fresh_free": 2,
                    "stale_free": 0,
                    "oldest_fresh_as_of": "2026-11-23T08:00:00Z",
                    "figures": [
                        {
                            "provider": "CP-REABLE",
                            "as_of": "2026-11-23T08:00:00Z",
                            "age_seconds": 4500.0,
                            "stale": False,
                            "free": 2,
                        }
                    ],
                },
            ],
        }
    ],
}
