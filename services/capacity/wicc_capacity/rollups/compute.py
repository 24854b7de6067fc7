"""Current bed figures rolled up by site, organisation x bed area, organisation and
system (pure).

Rules (also in the capacity guide):

- A unit that never reported is listed as not reporting; it adds no beds, not zero beds.
- An organisation's figure for a bed area comes from its units when any unit of that
  organisation and area has reported. Otherwise it falls back to the sitrep-fed
  `area_beds` figure (`source: "sitrep"`). The two are never added together, so no
  bed is counted from both.
- Sites sum their units; organisations sum their areas; systems sum their
  organisations. So every roll-up equals the sum of its parts, and an organisation
  also equals its sites plus its sitrep-sourced areas (sitrep figures are
  organisation-wide, so no site can carry them).
- Stale figures still count; they are flagged, and every roll-up carries the oldest
  `as_of` in it, so a reader sees how old the worst part is.
"""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any, TypeVar

from wicc_capacity.beds.models import BedState
from wicc_capacity.beds.service import bed_figures
from wicc_capacity.rollups.schemas import (
    AreaRollup,
    BedRollups,
    OrgRollup,
    SiteRollup,
    Source,
    SystemRollup,
    UnitBeds,
)
from wicc_capacity.sitreps.models import AreaBeds
from wicc_shared.catalogue.beds import BedFigures, ClosedBeds, ClosureReason
from wicc_shared.kernel.models import CareSystem, Organisation, Site, Unit
from wicc_shared.rules.staleness import Staleness

_K = TypeVar("_K")


@dataclass
class _Tally:
    """Running sums of figures, and what went into them."""

    core_open: int = 0
    escalation_open: int = 0
    occupied: int = 0
    closed: Counter[str] = field(default_factory=Counter)
    units_total: int = 0
    units_reporting: int = 0
    not_reporting: list[str] = field(default_factory=list)
    oldest: datetime | None = None
    newest: datetime | None = None

    def add_figures(
        self,
        core_open: int,
        escalation_open: int,
        occupied: int,
        closed: Iterable[Mapping[str, Any]],
        as_of: datetime,
    ) -> None:
        self.core_open += core_open
        self.escalation_open += escalation_open
        self.occupied += occupied
        for c in closed:
            self.closed[c["reason"]] += c["count"]
        self._saw(as_of, as_of)

    def add(self, other: _Tally) -> None:
        self.core_open += other.core_open
        self.escalation_open += other.escalation_open
        self.occupied += other.occupied
        self.closed.update(other.closed)
        self.units_total += other.units_total
        self.units_reporting += other.units_reporting
        self.not_reporting.extend(other.not_reporting)
        if other.oldest is not None and other.newest is not None:
            self._saw(other.oldest, other.newest)

    def _saw(self, oldest: datetime, newest: datetime) -> None:
        self.oldest = oldest if self.oldest is None else min(self.oldest, oldest)
        self.newest = newest if self.newest is None else max(self.newest, newest)


UnitRow = tuple[Unit, Site, Organisation, CareSystem, BedState | None]
AreaRow = tuple[AreaBeds, Organisation, CareSystem]


@dataclass
class _Names:
    """Names and parents of the sites, organisations and systems in scope."""

    site: dict[str, str] = field(default_factory=dict)
    org: dict[str, str] = field(default_factory=dict)
    system: dict[str, str] = field(default_factory=dict)
    site_org: dict[str, str] = field(default_factory=dict)
    org_system: dict[str, str] = field(default_factory=dict)

    @classmethod
    def of(cls, units: list[UnitRow], areas: list[AreaRow]) -> _Names:
        names = cls()
        for _unit, site, org, care_system, _state in units:
            names.site[site.code] = site.name
            names.site_org[site.code] = org.ods
            names._org(org, care_system)
        for _area, org, care_system in areas:
            names._org(org, care_system)
        return names

    def _org(self, org: Organisation, care_system: CareSystem) -> None:
        self.org[org.ods] = org.name
        self.org_system[org.ods] = care_system.code
        self.system[care_system.code] = care_system.name


def compute_rollups(units: list[UnitRow], areas: list[AreaRow], clock: Staleness) -> BedRollups:
    names = _Names.of(units, areas)
    unit_tallies = {unit.id: _unit_tally(unit, state) for unit, *_, state in units}
    by_site: dict[str, _Tally] = defaultdict(_Tally)
    by_area: dict[tuple[str, str], _Tally] = defaultdict(_Tally)
    for unit, site, *_ in units:
        by_site[site.code].add(unit_tallies[unit.id])
        by_area[(unit.org_ods, unit.bed_area)].add(unit_tallies[unit.id])
    sources = _area_sources(by_area, {(a.org_ods, a.bed_area): a for a, *_ in areas})
    by_org = _sum_up(by_area, lambda key: key[0])
    by_system = _sum_up(by_org, names.org_system.__getitem__)

    def fields(tally: _Tally) -> dict[str, Any]:
        return _rollup_fields(tally, clock)

    return BedRollups(
        generated_at=clock.now,
        stale_after_hours=clock.stale_after.total_seconds() / 3600,
        units=[_unit_beds(row, unit_tallies[row[0].id], clock) for row in units],
        sites=[
            SiteRollup(
                site=code,
                name=names.site[code],
                org=names.site_org[code],
                system=names.org_system[names.site_org[code]],
                **fields(tally),
            )
            for code, tally in sorted(by_site.items())
        ],
        areas=[
            AreaRollup(
                org=ods,
                bed_area=area,
                system=names.org_system[ods],
                source=sources.get((ods, area)),
                **fields(tally),
            )
            for (ods, area), tally in sorted(by_area.items())
        ],
        organisations=[
            OrgRollup(org=ods, name=names.org[ods], system=names.org_system[ods], **fields(tally))
            for ods, tally in sorted(by_org.items())
        ],
        systems=[
            SystemRollup(system=code, name=names.system[code], **fields(tally))
            for code, tally in sorted(by_system.items())
        ],
    )


def _sum_up(parts: Mapping[_K, _Tally], parent: Callable[[_K], str]) -> dict[str, _Tally]:
    totals: dict[str, _Tally] = defaultdict(_Tally)
    for key, tally in parts.items():
        totals[parent(key)].add(tally)
    return totals


def _unit_tally(unit: Unit, state: BedState | None) -> _Tally:
    tally = _Tally(units_total=1)
    if state is None or state.as_of is None:
        tally.not_reporting.append(unit.id)
        return tally
    tally.units_reporting = 1
    tally.add_figures(
        state.core_open, state.escalation_open, state.occupied, state.closed, state.as_of
    )
    return tally


def _area_sources(
    by_area: dict[tuple[str, str], _Tally], sitrep: dict[tuple[str, str], AreaBeds]
) -> dict[tuple[str, str], Source]:
    """Decide each area's source; add the sitrep figure where no unit reported.

    `by_area` gains an entry for every sitrep area, including areas with no units.
    """
    sources: dict[tuple[str, str], Source] = {}
    for key in by_area.keys() | sitrep.keys():
        tally = by_area.setdefault(key, _Tally())
        if tally.units_reporting:
            sources[key] = Source.units
        elif key in sitrep:
            area = sitrep[key]
            # Sitreps give no closures by reason, so a sitrep area adds none.
            tally.add_figures(area.core_open, area.escalation_open, area.occupied, (), area.as_of)
            sources[key] = Source.sitrep
    return sources


def _figures(tally: _Tally) -> BedFigures:
    closed = [
        ClosedBeds(reason=r, count=tally.closed[r.value])
        for r in ClosureReason
        if tally.closed[r.value]
    ]
    return BedFigures(**bed_figures(tally.core_open, tally.escalation_open, tally.occupied, closed))


def _rollup_fields(tally: _Tally, clock: Staleness) -> dict[str, Any]:
    return {
        "figures": _figures(tally),
        "units_total": tally.units_total,
        "units_reporting": tally.units_reporting,
        "units_not_reporting": sorted(tally.not_reporting),
        "oldest_as_of": tally.oldest,
        "newest_as_of": tally.newest,
        "age_seconds": clock.age(tally.oldest),
        "stale": clock.stale(tally.oldest),
    }


def _unit_beds(
    row: tuple[Unit, Site, Organisation, CareSystem, BedState | None],
    tally: _Tally,
    clock: Staleness,
) -> UnitBeds:
    unit, site, org, care_system, state = row
    reporting = bool(tally.units_reporting)
    return UnitBeds(
        unit_id=unit.id,
        name=unit.name,
        site=site.code,
        org=org.ods,
        system=care_system.code,
        bed_area=unit.bed_area,
        reporting=reporting,
        figures=_figures(tally) if reporting else None,
        as_of=tally.newest,
        age_seconds=clock.age(tally.newest),
        stale=clock.stale(tally.newest),
        reported_by=state.reported_by if state is not None else None,
    )
