"""The care section: each provider's latest picture of each service, with fresh and
stale totals per service type (care homes also per category) and locality.

Care figures go stale with no event at all, so freshness is judged when the view is
taken, at `now`. The limits (hours per service type, from settings) are passed in;
without them each figure's own `fresh_until` is used, which the capacity service
computed from the same settings when it accepted the figure.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from datetime import UTC, datetime
from typing import Any

from wicc_flow.board.sections.base import dumped, restored
from wicc_shared.catalogue import CARE_CAPACITY_UPDATED
from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.catalogue.care import CareCapacityUpdated
from wicc_shared.rules.care_freshness import freshness_limit

# (service type, care-home category or None for all, locality or None for the system)
CareGroup = tuple[str, str | None, str | None]
CareMember = tuple[dict[str, Any], dict[str, Any]]  # (provider entry, one figures row)


class CareSection:
    key = "care"
    event_types: tuple[EventType[Any], ...] = (CARE_CAPACITY_UPDATED,)

    def __init__(self, freshness_hours: Mapping[str, float] | None = None) -> None:
        self.care: dict[str, CareCapacityUpdated] = {}
        self.freshness_hours = dict(freshness_hours) if freshness_hours is not None else None

    def apply(self, event_type: EventType[Any], payload: EventPayload) -> None:
        assert isinstance(payload, CareCapacityUpdated)
        key = f"{payload.provider}/{payload.service_type.value}"
        held = self.care.get(key)
        # Capacity accepts a service's reports in order; the version guard keeps an
        # event replayed from the log from undoing a newer picture.
        if held is None or payload.version >= held.version:
            self.care[key] = payload

    def state(self) -> dict[str, Any]:
        return dumped(self.care)

    def restore(self, state: dict[str, Any]) -> None:
        self.care = restored(state, CareCapacityUpdated)

    def view(self, now: datetime) -> dict[str, Any]:
        if not self.care:
            return {}  # absent rather than empty: a board without care keeps its shape
        providers = [self._assessed(self.care[key], now) for key in sorted(self.care)]
        return {"care": {"providers": providers, "totals": _care_totals(providers)}}

    def next_stale_at(self, now: datetime) -> datetime | None:
        ends = [self._fresh_until(entry) for entry in self.care.values()]
        return min((end for end in ends if end >= now), default=None)

    def _fresh_until(self, entry: CareCapacityUpdated) -> datetime:
        if self.freshness_hours is None:
            return entry.fresh_until
        return entry.as_of + freshness_limit(entry.service_type, self.freshness_hours)

    def _assessed(self, entry: CareCapacityUpdated, now: datetime) -> dict[str, Any]:
        """The entry with its age and staleness at `now` (stale once older than its limit)."""
        fresh_until = self._fresh_until(entry)
        return {
            **entry.model_dump(mode="json"),
            "freshness_hours": (fresh_until - entry.as_of).total_seconds() / 3600,
            "fresh_until": _iso(fresh_until),
            "age_seconds": (now - entry.as_of).total_seconds(),
            "stale": now > fresh_until,
        }


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
