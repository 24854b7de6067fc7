"""The board's live picture of the system, built only from events."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any, TypeVar

from pydantic import ValidationError

from wicc_shared.catalogue import BEDS_UPDATED, CARE_CAPACITY_UPDATED, CATALOGUE
from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.catalogue.care import CareCapacityUpdated
from wicc_shared.events.envelope import Event
from wicc_shared.rules.care_freshness import freshness_limit
from wicc_shared.rules.occupancy import occupancy_pct
from wicc_shared.rules.staleness import Staleness

logger = logging.getLogger(__name__)

# Event types the board shows. Anything else on the log is not the board's business
# (and must never carry personal data onto the shared screen).
BOARD_EVENTS = (BEDS_UPDATED, CARE_CAPACITY_UPDATED)
BOARD_EVENT_TYPES = CATALOGUE.names_of(BOARD_EVENTS)

# (service type, care-home category or None for all, locality or None for the system)
CareGroup = tuple[str, str | None, str | None]
CareMember = tuple[dict[str, Any], dict[str, Any]]  # (provider entry, one figures row)
M = TypeVar("M", BedsUpdated, CareCapacityUpdated)


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
        self.units = _restored(state.get("units", {}), BedsUpdated)
        self.care = _restored(state.get("care", {}), CareCapacityUpdated)
        self.care_freshness_hours = (
            dict(care_freshness_hours) if care_freshness_hours is not None else None
        )

    def apply(self, event: Event) -> None:
        event_type = CATALOGUE.get(event.type)
        try:
            if event_type is BEDS_UPDATED:
                beds = BEDS_UPDATED.parse(event)
                self.units[beds.unit_id] = beds
            elif event_type is CARE_CAPACITY_UPDATED:
                self._apply_care(CARE_CAPACITY_UPDATED.parse(event))
        except ValidationError:
            # An event of an older payload version the board cannot show: it is
            # skipped, not allowed to stop the board; the next report replaces it.
            logger.warning("board skipped an unreadable %s event %s", event.type, event.id)

    def _apply_care(self, care: CareCapacityUpdated) -> None:
        key = f"{care.provider}/{care.service_type.value}"
        held = self.care.get(key)
        # Capacity accepts a service's reports in order; the version guard keeps an
        # event replayed from the log from undoing a newer picture.
        if held is None or care.version >= held.version:
            self.care[key] = care

    def state(self) -> dict[str, Any]:
        return {
            "units": {k: v.model_dump(mode="json") for k, v in self.units.items()},
            "care": {k: v.model_dump(mode="json") for k, v in self.care.items()},
        }

    def view(self, now: datetime | None = None) -> dict[str, Any]:
        """What a board shows: every unit, totals per organisation, and (once any
        provider has reported) care capacity per provider with fresh/stale totals."""
        now = now or datetime.now(UTC)
        units = [_aged_unit(self.units[key], Staleness(now)) for key in sorted(self.units)]
        view: dict[str, Any] = {"units": units, "orgs": _org_totals(units)}
        if self.care:
            # Absent rather than empty, so a board without care figures keeps its shape.
            view["care"] = self._care_view(now)
        return view

    def next_stale_at(self, now: datetime) -> datetime | None:
        """When the next figure that is fresh at `now` turns stale (None: never)."""
        care = [self._fresh_until(entry) for entry in self.care.values()]
        beds = [Staleness(now).stale_at(unit.as_of) for unit in self.units.values()]
        return min((until for until in care + beds if until >= now), default=None)

    def _care_view(self, now: datetime) -> dict[str, Any]:
        providers = [self._assessed(self.care[key], now) for key in sorted(self.care)]
        return {"providers": providers, "totals": _care_totals(providers)}

    def _fresh_until(self, entry: CareCapacityUpdated) -> datetime:
        if self.care_freshness_hours is None:
            return entry.fresh_until
        return entry.as_of + freshness_limit(entry.service_type, self.care_freshness_hours)

    def _assessed(self, entry: CareCapacityUpdated, now: datetime) -> dict[str, Any]:
        """The entry with its age and staleness at `now` (stale once older than its limit)."""
        fresh_until = self._fresh_until(entry)
        hours = (fresh_until - entry.as_of).total_seconds() / 3600
        return {
            **entry.model_dump(mode="json"),
            "freshness_hours": hours,
            "fresh_until": _iso(fresh_until),
            "age_seconds": (now - entry.as_of).total_seconds(),
            "stale": now > fresh_until,
        }


def _restored(entries: dict[str, Any], model: type[M]) -> dict[str, M]:
    restored: dict[str, M] = {}
    for key, entry in entries.items():
        try:
            restored[key] = model.model_validate(entry)
        except ValidationError:
            logger.warning("board checkpoint: skipped an unreadable %s", key)
    return restored


def _aged_unit(unit: BedsUpdated, clock: Staleness) -> dict[str, Any]:
    """The unit's figure with its age and staleness at `now`."""
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
    oldest = min((m[0]["as_of"] for m in fresh), key=datetime.fromisoformat, default=None)
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


def _iso(moment: datetime) -> str:
    return moment.astimezone(UTC).isoformat().replace("+00:00", "Z")
