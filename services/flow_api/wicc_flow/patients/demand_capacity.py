"""Demand against capacity: per locality and pathway, the patients waiting to leave
hospital and the care free to take them.

Which care serves which pathway, and which figure says how much is free now, is the
shared rule `wicc_shared.rules.care_pathways` (the board uses the same): pathway 1 home
care and reablement starts, pathway 2 step-down intermediate care and community hospital
beds, pathway 3 care-home vacancies by category; pathway 0 needs no new care.

A patient waits in the locality they go home to (`destination_locality`) when their
discharge ready date has come and they are neither discharged nor withdrawn at `now`.
A provider serving several localities counts in full in each, as the capacity
service's totals do, so localities must not be summed into a system figure.

Every figure carries its `as_of`, its age at `now` and a `stale` flag (older than its
service type's freshness limit; exactly at the limit it is still fresh). Only fresh
figures count as free capacity; stale ones are summed apart, never into the gap.
`gap = waiting - fresh free capacity`: above 0, more patients wait than places are
free (for pathway 1, than packages can start in a day). A patient's care-home category
is not recorded, so the pathway 3 gap is against vacancies of every category.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta, tzinfo
from typing import Final

from wicc_flow.patients.records import Pathway, PatientStay, local_date
from wicc_shared.kernel.reference import CareServiceType
from wicc_shared.rules import care_pathways

# The mapping is a shared rule (the board uses it too); keyed here by `Pathway`.
PATHWAY_SERVICES: Final[Mapping[Pathway, tuple[CareServiceType, ...]]] = {
    Pathway(pathway): types for pathway, types in care_pathways.PATHWAY_SERVICES.items()
}
FREE_FIGURE: Final = care_pathways.FREE_FIGURE
free_of = care_pathways.free_of


@dataclass(frozen=True, slots=True)
class CapacityFigure:
    """One provider's current figure for one service (care homes: one bed category),
    as learnt from the capacity service's events."""

    provider: str
    service_type: CareServiceType
    localities: tuple[str, ...]
    as_of: datetime
    free: int  # in the unit of FREE_FIGURE[service_type]
    category: str | None = None  # care homes only

    def __post_init__(self) -> None:
        if self.as_of.utcoffset() is None:
            raise ValueError("as_of must carry a time zone")
        if self.free < 0:
            raise ValueError("free capacity cannot be negative")


@dataclass(frozen=True, slots=True)
class FigureState:
    provider: str
    as_of: datetime
    age: timedelta
    stale: bool
    free: int


@dataclass(frozen=True, slots=True)
class CapacityLine:
    """One service type (care homes: one category) serving a pathway in a locality."""

    service_type: CareServiceType
    category: str | None
    fresh_free: int
    stale_free: int
    oldest_fresh_as_of: datetime | None
    figures: tuple[FigureState, ...]  # every provider's figure, fresh and stale, by provider


@dataclass(frozen=True, slots=True)
class DemandCapacity:
    locality: str
    pathway: Pathway
    waiting: int
    fresh_free: int
    stale_free: int
    gap: int  # waiting - fresh_free
    lines: tuple[CapacityLine, ...]


def is_waiting(stay: PatientStay, now: datetime, tz: tzinfo) -> bool:
    """Ready (discharge ready date today or before) and not closed at `now`."""
    closed = stay.closed_at
    return stay.discharge_ready_date <= local_date(now, tz) and (closed is None or closed > now)


def demand_capacity(
    stays: Iterable[PatientStay],
    figures: Iterable[CapacityFigure],
    *,
    now: datetime,
    tz: tzinfo,
    freshness: Mapping[str, timedelta],
    localities: Iterable[str] = (),
) -> tuple[DemandCapacity, ...]:
    """Per locality (those given, plus any seen in stays or figures) and pathway 1-3."""
    missing = [t.value for t in FREE_FIGURE if t.value not in freshness]
    if missing:
        raise ValueError(f"no freshness limit for {', '.join(missing)}")
    stays, figures = list(stays), list(figures)
    waiting: dict[tuple[str, Pathway], int] = {}
    for stay in stays:
        if stay.pathway in PATHWAY_SERVICES and is_waiting(stay, now, tz):
            key = (stay.destination_locality, stay.pathway)
            waiting[key] = waiting.get(key, 0) + 1
    places = set(localities) | {loc for loc, _ in waiting}
    places |= {loc for f in figures for loc in f.localities}
    return tuple(
        _cell(place, pathway, waiting.get((place, pathway), 0), figures, now, freshness)
        for place in sorted(places)
        for pathway in PATHWAY_SERVICES
    )


def _cell(
    locality: str,
    pathway: Pathway,
    waiting: int,
    figures: list[CapacityFigure],
    now: datetime,
    freshness: Mapping[str, timedelta],
) -> DemandCapacity:
    here = [f for f in figures if locality in f.localities]
    lines = []
    for service_type in PATHWAY_SERVICES[pathway]:
        mine = [f for f in here if f.service_type == service_type]
        categories = sorted({f.category for f in mine}, key=lambda c: c or "") or [None]
        for category in categories:
            chosen = [f for f in mine if f.category == category]
            lines.append(_line(service_type, category, chosen, now, freshness))
    fresh = sum(line.fresh_free for line in lines)
    return DemandCapacity(
        locality=locality,
        pathway=pathway,
        waiting=waiting,
        fresh_free=fresh,
        stale_free=sum(line.stale_free for line in lines),
        gap=waiting - fresh,
        lines=tuple(lines),
    )


def _line(
    service_type: CareServiceType,
    category: str | None,
    figures: list[CapacityFigure],
    now: datetime,
    freshness: Mapping[str, timedelta],
) -> CapacityLine:
    limit = freshness[service_type.value]
    states = tuple(
        FigureState(f.provider, f.as_of, now - f.as_of, now > f.as_of + limit, f.free)
        for f in sorted(figures, key=lambda f: f.provider)
    )
    fresh = [s for s in states if not s.stale]
    return CapacityLine(
        service_type=service_type,
        category=category,
        fresh_free=sum(s.free for s in fresh),
        stale_free=sum(s.free for s in states if s.stale),
        oldest_fresh_as_of=min((s.as_of for s in fresh), default=None),
        figures=states,
    )
