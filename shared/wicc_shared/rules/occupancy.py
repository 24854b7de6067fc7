"""Open, available and occupancy: how bed counts are derived from what is reported.

`open` is core plus escalation beds open; `available` is open minus occupied (it can be
negative when a unit reports more patients than open beds, which bed-level reporting
rules out and unit-level validation refuses); occupancy is occupied over open.
"""

from __future__ import annotations

from dataclasses import dataclass


def occupancy_pct(occupied: int, open_total: int) -> float | None:
    """Occupied / open as a percentage to one decimal; None when no bed is open."""
    return round(100 * occupied / open_total, 1) if open_total else None


@dataclass(frozen=True, slots=True)
class DerivedBeds:
    """The figures every bed read shows beside the counts it was given."""

    open: int
    available: int
    occupancy_pct: float | None


def derive(core_open: int, escalation_open: int, occupied: int) -> DerivedBeds:
    open_total = core_open + escalation_open
    return DerivedBeds(
        open=open_total,
        available=open_total - occupied,
        occupancy_pct=occupancy_pct(occupied, open_total),
    )
