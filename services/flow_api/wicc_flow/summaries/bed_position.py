"""Adult G&A beds of an organisation and of the system, counted as the capacity
service's bed roll-ups count them (`GET /capacity/v1/beds?bed_area=adult_ga`), so the
summary and the API never disagree:

- an organisation's figure is the sum of its active adult G&A units that have
  reported; when none has, its latest sitrep's adult G&A figure (08:00 on the sitrep
  date, no closures by reason); otherwise it has none (not zero beds);
- the system sums its organisations;
- a figure is as old as the oldest figure counted, and stale when that is older than
  24 hours (`wicc_shared.rules.staleness`). Stale figures still count, flagged.

Occupancy is occupied / open beds (core and escalation together); "core occupancy"
is occupied / core beds open: how full the hospital would be without its escalation
beds. Escalation beds open and beds closed for infection control are counts.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import datetime

from wicc_flow.board.schemas import BoardSitreps, BoardUnit
from wicc_flow.summaries.document import SourceFreshness, source_freshness
from wicc_flow.summaries.figures import Figure, Unit
from wicc_flow.summaries.inputs import OrgRef, SystemRef
from wicc_shared.catalogue.beds import ClosureReason
from wicc_shared.rules.occupancy import occupancy_pct
from wicc_shared.rules.staleness import BED_STALE_AFTER, Staleness


@dataclass(frozen=True)
class BedCount:
    core_open: int
    escalation_open: int
    occupied: int
    closed_infection: int
    oldest: datetime  # the oldest figure counted

    def __add__(self, other: BedCount) -> BedCount:
        return BedCount(
            self.core_open + other.core_open,
            self.escalation_open + other.escalation_open,
            self.occupied + other.occupied,
            self.closed_infection + other.closed_infection,
            min(self.oldest, other.oldest),
        )


def org_count(
    org: OrgRef,
    units: Mapping[str, BoardUnit],
    sitreps: BoardSitreps | None,
    system: SystemRef,
) -> BedCount | None:
    """The organisation's adult G&A beds, or None when nothing has been reported."""
    reported = [units[unit_id] for unit_id in sorted(org.ga_units) if unit_id in units]
    if reported:
        return sum_counts(_unit_count(unit) for unit in reported)
    area = next((a for a in sitreps.areas if a.bed_area == "adult_ga"), None) if sitreps else None
    if area is None:
        return None
    return BedCount(
        area.core_open, area.escalation_open, area.occupied, 0, system.sitrep_as_of(area.date)
    )


def _unit_count(unit: BoardUnit) -> BedCount:
    infection = sum(c.count for c in unit.closed if c.reason == ClosureReason.infection_control)
    return BedCount(unit.core_open, unit.escalation_open, unit.occupied, infection, unit.as_of)


def sum_counts(counts: Iterable[BedCount | None]) -> BedCount | None:
    total: BedCount | None = None
    for count in counts:
        if count is not None:
            total = count if total is None else total + count
    return total


@dataclass(frozen=True)
class TodayBeds:
    occupancy: Figure
    occupancy_core: Figure
    escalation_open: Figure
    closed_infection: Figure


def bed_figures(count: BedCount, source: str, now: datetime) -> TodayBeds | None:
    """Today's figures; None when no bed (or no core bed) is open, since an occupancy
    of nothing is not a number."""
    occupancy = occupancy_pct(count.occupied, count.core_open + count.escalation_open)
    core = occupancy_pct(count.occupied, count.core_open)
    if occupancy is None or core is None:
        return None
    stale = Staleness(now).stale(count.oldest)

    def figure(value: float, unit: Unit) -> Figure:
        return Figure(value=value, unit=unit, source=source, as_of=count.oldest, stale=stale)

    return TodayBeds(
        occupancy=figure(occupancy, Unit.percent),
        occupancy_core=figure(core, Unit.percent),
        escalation_open=figure(count.escalation_open, Unit.beds),
        closed_infection=figure(count.closed_infection, Unit.beds),
    )


def bed_freshness(
    source: str, label: str, count: BedCount | None, now: datetime
) -> SourceFreshness:
    return source_freshness(source, label, count.oldest if count else None, BED_STALE_AFTER, now)
