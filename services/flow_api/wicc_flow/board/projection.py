"""The board's live picture of the system, built only from events."""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from wicc_shared.events.envelope import Event

# Event types the board shows. Anything else on the log is not the board's business
# (and must never carry personal data onto the shared screen).
BOARD_EVENT_TYPES = frozenset({"beds.updated"})


class BoardProjection:
    def __init__(self, state: dict[str, Any] | None = None) -> None:
        self.units: dict[str, dict[str, Any]] = dict((state or {}).get("units", {}))

    def apply(self, event: Event) -> None:
        if event.type == "beds.updated":
            self.units[event.data["unit_id"]] = event.data

    def state(self) -> dict[str, Any]:
        return {"units": self.units}

    def view(self) -> dict[str, Any]:
        """What a board shows: every unit, and totals per organisation."""
        return {
            "units": sorted(self.units.values(), key=lambda u: u["unit_id"]),
            "orgs": _org_totals(self.units.values()),
        }


def _org_totals(units: Any) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "open": 0,
            "escalation_open": 0,
            "occupied": 0,
            "available": 0,
            "closed": 0,
            "oldest_as_of": None,
        }
    )
    for unit in units:
        t = totals[unit["org"]]
        t["open"] += unit["open"]
        t["escalation_open"] += unit["escalation_open"]
        t["occupied"] += unit["occupied"]
        t["available"] += unit["available"]
        t["closed"] += unit["closed_total"]
        if t["oldest_as_of"] is None or unit["as_of"] < t["oldest_as_of"]:
            t["oldest_as_of"] = unit["as_of"]
    return [
        {
            "org": org,
            **t,
            "occupancy_pct": round(100 * t["occupied"] / t["open"], 1) if t["open"] else None,
        }
        for org, t in sorted(totals.items())
    ]
