"""Daily sitreps: a valid body, an amendment and CSV rows, each with keyword defaults."""

from __future__ import annotations

import datetime as dt
from typing import Any

UTC = dt.UTC
TODAY = dt.date(2026, 11, 23)  # GMT: London time equals UTC in November
MORNING = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)


def sitrep_body(org: str = "RNZ", date: dt.date | str = TODAY, **overrides: Any) -> dict[str, Any]:
    """A valid sitrep; override any top-level field by keyword."""
    body: dict[str, Any] = {
        "org": org,
        "date": date.isoformat() if isinstance(date, dt.date) else date,
        "beds": [
            {
                "bed_area": "adult_ga",
                "core_open": 150,
                "core_occupied": 140,
                "escalation_open": 8,
                "escalation_occupied": 6,
            },
            {
                "bed_area": "adult_cc",
                "core_open": 12,
                "core_occupied": 10,
                "escalation_open": 0,
                "escalation_occupied": 0,
            },
        ],
        "los_7_plus": 60,
        "los_14_plus": 30,
        "los_21_plus": 12,
        "beds_closed_dv": 4,
        "nctr_patients": 25,
        "ed": {
            "mean_ambulance_handover_minutes": 34.5,
            "four_hour_performance_pct": 71.2,
            "ed_majors_resus_occupancy_pct": 104.0,
            "median_time_to_treatment_minutes": 95,
            "ed_over_12h_pct": 6.1,
            "ed_referred_to_specialty_pct": 22.4,
        },
    }
    body.update(overrides)
    return body


def amendment(reason: str = "corrected", **overrides: Any) -> dict[str, Any]:
    body = sitrep_body(**overrides)
    del body["org"], body["date"]
    return body | {"reason": reason}


CSV_HEADER = (
    "org,date,adult_ga_core_open,adult_ga_core_occupied,adult_ga_escalation_open,"
    "adult_ga_escalation_occupied,adult_cc_core_open,adult_cc_core_occupied,"
    "los_7_plus,los_14_plus,los_21_plus,beds_closed_dv,nctr_patients,"
    "mean_ambulance_handover_minutes,four_hour_performance_pct,ed_majors_resus_occupancy_pct,"
    "median_time_to_treatment_minutes,ed_over_12h_pct,ed_referred_to_specialty_pct"
)


def csv_row(org: str, ga_occupied: int = 140, los_7: str = "60", cc: str = "12,10") -> str:
    return f"{org},{TODAY},150,{ga_occupied},8,6,{cc},{los_7},30,12,4,25,34.5,71.2,104,95,6.1,22.4"
