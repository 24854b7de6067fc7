"""Care-package capacity reports: a valid report for each service type, with keyword
overrides, and the figures that make one up."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

BED_FIGURES = ("beds_max", "beds_occupied", "beds_vacant_reserved", "beds_vacant_accepting")
ALL_FIGURES = ("package_starts_per_day", "spare_hours_per_week", "slots", *BED_FIGURES)

# A demo provider offering each service type (reference/wiltshire.yaml).
PROVIDER = {
    "dom_care": "CP-HTLAH-N",
    "reablement": "CP-REABLE",
    "urgent_care_at_home": "CP-UCAH",
    "intermediate_care_step_up": "WHC",
    "intermediate_care_step_down": "WHC",
    "community_hospital": "WHC",
    "care_home": "CP-AVONVALE",
}


def beds(max_: int, occupied: int, reserved: int, accepting: int) -> dict[str, int]:
    return dict(zip(BED_FIGURES, (max_, occupied, reserved, accepting), strict=True))


def category(name: str, max_: int, occupied: int, reserved: int, accepting: int) -> dict[str, Any]:
    return {
        "category": name,
        "max": max_,
        "occupied": occupied,
        "vacant_reserved": reserved,
        "vacant_accepting": accepting,
    }


FIGURES: dict[str, dict[str, Any]] = {
    "dom_care": {"package_starts_per_day": 3, "spare_hours_per_week": 120.5},
    "reablement": {"package_starts_per_day": 4},
    "urgent_care_at_home": {"slots": 6},
    "intermediate_care_step_up": beds(5, 3, 0, 2),
    "intermediate_care_step_down": beds(20, 17, 1, 2),
    "community_hospital": beds(24, 22, 0, 1),
    "care_home": {
        "categories": [
            category("nursing", 24, 21, 1, 2),
            category("residential_dementia", 10, 8, 0, 2),
        ]
    },
}


def iso(moment: datetime) -> str:
    return moment.isoformat()


def report(
    service_type: str, *, as_of: datetime | str | None = None, **figures: Any
) -> dict[str, Any]:
    """A valid report for the service type; keyword figures replace the defaults."""
    when = as_of or datetime.now(UTC) - timedelta(minutes=1)
    body = {"service_type": service_type, "as_of": when if isinstance(when, str) else iso(when)}
    body.update(figures or FIGURES[service_type])
    return body
