"""The board's live picture of the system, built only from events."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime, timedelta
from typing import Any

from wicc_shared.events.envelope import Event

# Event types the board shows. Anything else on the log is not the board's business
# (and must never carry personal data onto the shared screen).
BOARD_EVENT_TYPES = frozenset({"beds.updated", "care_capacity.updated"})

# A unit's figure older than this is flagged stale, as the capacity service's bed
# roll-ups do by default: bed state moves during the day and the sitrep comes daily.
BED_STALE_AFTER = timedelta(hours=24)

# (service type, care-home category or None for all, locality or None for the system)
CareGroup = tuple[str, str | None, str | None]
CareMember = tuple[dict[str, Any], dict[str, Any]]  # (provider entry, one figures row)


class BoardProjection:
    """Beds per unit and care capacity per provider and service, from events alone.

    Care figures go stale with no event at all, so freshness is judged when the
    view is taken, at `now`. The limits (hours per service type, from settings)
    are passed in; without them each figure's own `fresh_until` is used, which the
    capacity service computed from the same settings when it accepted the figure.
    """

    def __init__(
        self,
        state: dict[str, Any] | None = None,
        *,
        care_freshness_hours: Mapping[str, float] | None = None,
    ) -> None:
        state = state or {}
        self.units: dict[str, dict[str, Any]] = dict(state.get("units", {}))
        self.care: dict[str, dict[str, Any]] = dict(state.get("care", {}))
        self.care_freshness_hours = (
            dict(care_freshness_hours) if care_freshness_hours is not None else None
        )

    def apply(self, event: Event) -> None:
        if event.type == "beds.updated":
            self.units[event.data["unit_id"]] = event.data
        elif event.type == "care_capacity.updated":
            self._apply_care(event.data)

    def _apply_care(self, data: dict[str, Any]) -> None:
        key = f"{data['provider']}/{data['service_type']}"
        held = self.care.get(key)
        # Capacity accepts a service's reports in order; the version guard keeps an
        # event replayed from the log from undoing a newer picture.
        if held is None or data["version"] >= held["version"]:
            self.care[key] = data

    def state(self) -> dict[str, Any]:
        return {"units": self.units, "care": self.care}

    def view(self, now: datetime | None = None) -> dict[str, Any]:
        """What a board shows: every unit, totals per organisation, and (once any
        provider has reported) care capacity per provider with fresh/stale totals."""
        now = now or datetime.now(UTC)
        units = [_aged_unit(self.units[key], now) for key in sorted(self.units)]
        view: dict[str, Any] = {"units": units, "orgs": _org_totals(units)}
        if self.care:
            # Absent rather than empty, so a board without care figures keeps its shape.
            view["care"] = self._care_view(now)
        return view

    def next_stale_at(self, now: datetime) -> datetime | None:
        """When the next figure that is fresh at `now` turns stale (None: never)."""
        care = [_parse(self._assessed(entry, now)["fresh_until"]) for entry in self.care.values()]
        beds = [_parse(unit["as_of"]) + BED_STALE_AFTER for unit in self.units.values()]
        return min((until for until in care + beds if until >= now), default=None)

    def _care_view(self, now: datetime) -> dict[str, Any]:
        providers = [self._assessed(self.care[key], now) for key in sorted(self.care)]
        return {"providers": providers, "totals": _care_totals(providers)}

    def _assessed(self, entry: dict[str, Any], now: datetime) -> dict[str, Any]:
        """The entry with its age and staleness at `now` (stale once older than its limit)."""
        as_of = _parse(entry["as_of"])
        hours = (self.care_freshness_hours or {}).get(entry["service_type"])
        if hours is None:
            hours = entry["freshness_hours"]
            fresh_until = _parse(entry["fresh_until"])
        else:
            fresh_until = as_of + timedelta(hours=hours)
        return {
            **entry,
            "freshness_hours": hours,
            "fresh_until": _iso(fresh_until),
            "age_seconds": (now - as_of).total_seconds(),
            "stale": now > fresh_until,
        }


def _aged_unit(unit: dict[str, Any], now: datetime) -> dict[str, Any]:
    """The unit's figure with its age and staleness at `now`."""
    age = now - _parse(unit["as_of"])
    return {**unit, "age_seconds": age.total_seconds(), "stale": age > BED_STALE_AFTER}


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
        {
            "org": org,
            **t,
            "occupancy_pct": round(100 * t["occupied"] / t["open"], 1) if t["open"] else None,
        }
        for org, t in sorted(totals.items())
    ]


def _care_totals(providers: Iterable[dict[str, Any]]) -> list[dict[str, Any]]:
    """Per service type (care homes also per category), for the system and each locality.

    A provider serving several localities counts in full in each, since its capacity
    is open to each of them; the system total counts it once.
    """
    groups: dict[CareGroup, list[CareMember]] = defaultdict(list)
    for entry in providers:
        for figures in entry["figures"]:
            categories = [None] if figures["category"] is None else [None, figures["category"]]
            for place in [None, *entry["localities"]]:
                for category in categories:
                    groups[(entry["service_type"], category, place)].append((entry, figures))
    ordered = sorted(groups.items(), key=lambda item: tuple(part or "" for part in item[0]))
    return [_care_group(key, members) for key, members in ordered]


def _care_group(key: CareGroup, members: list[CareMember]) -> dict[str, Any]:
    service_type, category, locality = key
    fresh = [m for m in members if not m[0]["stale"]]
    stale = [m for m in members if m[0]["stale"]]
    names = sorted({name for _, figures in members for name in figures if name != "category"})
    oldest = min((m[0]["as_of"] for m in fresh), key=_parse, default=None)
    return {
        "service_type": service_type,
        "category": category,
        "locality": locality,
        "providers": len({m[0]["provider"] for m in members}),
        "fresh_providers": len({m[0]["provider"] for m in fresh}),
        "stale_providers": len({m[0]["provider"] for m in stale}),
        # Only fresh figures make the current picture; stale ones are shown apart.
        "fresh": _sum_figures(fresh, names),
        "stale": _sum_figures(stale, names),
        "oldest_fresh_as_of": oldest,
    }


def _sum_figures(members: list[CareMember], names: list[str]) -> dict[str, float]:
    sums: dict[str, float] = {}
    for name in names:
        total = sum(figures.get(name) or 0 for _, figures in members)
        sums[name] = round(total, 2) if isinstance(total, float) else total
    return sums


def _parse(value: str) -> datetime:
    return datetime.fromisoformat(value)


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
