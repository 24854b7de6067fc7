"""Totals of current care capacity that keep fresh and stale figures apart.

Stale figures (vacancies shown that have long gone) are the classic failure of
capacity boards, so a figure older than its service type's limit
(`wicc_shared.rules.care_freshness`) is flagged on every row and summed separately,
never silently into the current totals.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import asdict
from datetime import datetime

from wicc_capacity.care.schemas import CareCapacityRead, CareTotals, Freshness
from wicc_shared.catalogue.care import CareFigures, stored_figures
from wicc_shared.kernel.reference import CareServiceType
from wicc_shared.rules import care_freshness

# (service type, care-home category or None for all, locality or None for the system)
GroupKey = tuple[CareServiceType, str | None, str | None]


def assess(
    as_of: datetime, service_type: str, limits: Mapping[str, float], now: datetime
) -> Freshness:
    return Freshness(**asdict(care_freshness.assess(as_of, service_type, limits, now)))


def rollup(rows: Sequence[CareCapacityRead], *, locality: str | None) -> list[CareTotals]:
    """Totals per service type (care homes also per category).

    Without `locality`, one total for the whole system plus one per locality;
    with it, the rows are already that locality's and so is every total.
    """
    groups: dict[GroupKey, list[CareCapacityRead]] = defaultdict(list)
    for row in rows:
        places: list[str | None] = [locality] if locality else [None, *row.localities]
        categories: list[str | None] = [None]
        if row.category is not None:
            categories.append(row.category.value)
        for place in places:
            for category in categories:
                groups[(row.service_type, category, place)].append(row)
    return [_totals(key, members) for key, members in sorted(groups.items(), key=_order)]


def _order(item: tuple[GroupKey, list[CareCapacityRead]]) -> tuple[str, str, str]:
    # The all-categories and whole-system totals ("" sorts first) lead their group.
    service_type, category, locality = item[0]
    return service_type.value, category or "", locality or ""


def _totals(key: GroupKey, rows: list[CareCapacityRead]) -> CareTotals:
    service_type, category, locality = key
    fresh = [r for r in rows if not r.stale]
    stale = [r for r in rows if r.stale]
    return CareTotals(
        service_type=service_type,
        category=category,
        locality=locality,
        providers=len({r.provider for r in rows}),
        fresh_providers=len({r.provider for r in fresh}),
        stale_providers=len({r.provider for r in stale}),
        fresh=_sum(fresh, stored_figures(service_type)),
        stale=_sum(stale, stored_figures(service_type)),
        oldest_fresh_as_of=min((r.as_of for r in fresh), default=None),
    )


def _sum(rows: Iterable[CareCapacityRead], names: tuple[str, ...]) -> CareFigures:
    rows = list(rows)
    sums: dict[str, float] = {}
    for name in names:
        total = sum(getattr(r, name) or 0 for r in rows)
        # Hours are fractional; rounding keeps float noise off the board.
        sums[name] = round(total, 2) if isinstance(total, float) else total
    return CareFigures.model_validate(sums)
