"""The beds section: the latest figure per unit, and totals per organisation."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import datetime
from typing import Any

from wicc_flow.board.sections.base import dumped, restored
from wicc_shared.catalogue import BEDS_UPDATED
from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.rules.occupancy import occupancy_pct
from wicc_shared.rules.staleness import Staleness


class BedsSection:
    key = "units"
    event_types: tuple[EventType[Any], ...] = (BEDS_UPDATED,)

    def __init__(self) -> None:
        self.units: dict[str, BedsUpdated] = {}

    def apply(self, event_type: EventType[Any], payload: EventPayload) -> None:
        assert isinstance(payload, BedsUpdated)
        self.units[payload.unit_id] = payload

    def state(self) -> dict[str, Any]:
        return dumped(self.units)

    def restore(self, state: dict[str, Any]) -> None:
        self.units = restored(state, BedsUpdated)

    def view(self, now: datetime) -> dict[str, Any]:
        units = [_aged_unit(self.units[key], Staleness(now)) for key in sorted(self.units)]
        return {"units": units, "orgs": _org_totals(units)}

    def next_stale_at(self, now: datetime) -> datetime | None:
        ends = [Staleness(now).stale_at(unit.as_of) for unit in self.units.values()]
        return min((end for end in ends if end >= now), default=None)


def _aged_unit(unit: BedsUpdated, clock: Staleness) -> dict[str, Any]:
    """The unit's figure with its age and staleness at the clock's `now`."""
    return {
        **unit.model_dump(mode="json"),
        "age_seconds": clock.age(unit.as_of),
        "stale": clock.stale(unit.as_of),
    }


def _org_totals(units: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    totals: dict[str, dict[str, Any]] = defaultdict(
        lambda: {
            "open": 0,
            "escalation_open": 0,
            "occupied": 0,
            "available": 0,
            "closed": 0,
            "stale_units": 0,
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
        t["stale_units"] += unit["stale"]
        if t["oldest_as_of"] is None or unit["as_of"] < t["oldest_as_of"]:
            t["oldest_as_of"] = unit["as_of"]
    return [
        {"org": org, **t, "occupancy_pct": occupancy_pct(t["occupied"], t["open"])}
        for org, t in sorted(totals.items())
    ]
