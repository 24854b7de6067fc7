"""The summary document for one care system and one day, as the call reads it.

One model serves every format: JSON is its dump, Markdown and HTML render it. A
section whose capability is not available (no OPEL service, no care capacity
feed yet) is `None`, and every renderer says "not available": a missing source
must never read as a row of zeros. Counts only: nothing here identifies a patient.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date, timedelta
from enum import StrEnum
from typing import Any, Literal, Self

from pydantic import AwareDatetime, Field, model_validator

from wicc_flow.summaries.codes import DelayBand, Pathway
from wicc_flow.summaries.figures import (
    Figure,
    Model,
    Tracked,
    Unit,
    derive,
    iter_figures,
)

SCHEMA_VERSION: Literal[1] = 1


class OpelStatus(Model):
    """OPEL of the system or one organisation.

    `level` is the level in force: the declared one when there is a declaration,
    else the calculated one (a trust may declare by judgement, with a reason).
    """

    level: Tracked
    calculated_level: Figure
    declared_level: Figure | None = None
    score: Tracked
    open_actions: Figure
    overdue_actions: Tracked

    @model_validator(mode="after")
    def _level_in_force(self) -> Self:
        in_force = self.declared_level or self.calculated_level
        if self.level.today.value != in_force.value:
            raise ValueError("the level in force is the declared level, else the calculated one")
        for figure in (self.level.today, self.calculated_level, self.declared_level):
            if figure is not None and figure.value not in (1, 2, 3, 4):
                raise ValueError(f"OPEL levels run 1 to 4, not {figure.value}")
        return self


class BedPosition(Model):
    """Adult general and acute beds; occupancy = occupied / open, in percent."""

    occupancy: Tracked = Field(description="Core and escalation beds together")
    occupancy_core: Tracked
    escalation_beds_open: Tracked
    beds_closed_infection: Tracked


class ReasonCount(Model):
    code: str = Field(description="Delay reason, from the versioned code list")
    label: str
    count: Figure


class PatientsReady(Model):
    """Patients ready to leave (no criteria to reside) still in a bed: counts only."""

    total: Tracked
    by_pathway: dict[Pathway, Figure]
    by_band: dict[DelayBand, Figure] = Field(description="Days since the discharge ready date")
    by_pathway_band: dict[Pathway, dict[DelayBand, Figure]] | None = None
    by_reason: list[ReasonCount] = Field(description="Largest first; a reason once")
    lost_bed_days_yesterday: Figure
    lost_bed_days_7d: Figure

    @model_validator(mode="after")
    def _counts_add_up(self) -> Self:
        total = self.total.today.value
        _require_keys(self.by_pathway, Pathway, "by_pathway")
        _require_keys(self.by_band, DelayBand, "by_band")
        _require_sum(self.by_pathway.values(), total, "by_pathway")
        _require_sum(self.by_band.values(), total, "by_band")
        if self.by_pathway_band is not None:
            _require_keys(self.by_pathway_band, Pathway, "by_pathway_band")
            for pathway, bands in self.by_pathway_band.items():
                _require_keys(bands, DelayBand, f"by_pathway_band[{pathway}]")
                _require_sum(bands.values(), self.by_pathway[pathway].value, f"{pathway} bands")
            for band in DelayBand:
                cells = [bands[band] for bands in self.by_pathway_band.values()]
                _require_sum(cells, self.by_band[band].value, f"band {band}")
        if len({r.code for r in self.by_reason}) != len(self.by_reason):
            raise ValueError("by_reason lists a reason twice")
        return self


def _require_keys(counts: Mapping[Any, object], keys: type[StrEnum], name: str) -> None:
    # A zero is a real count here: every key is present, so "0" never means "unknown".
    missing = [k.value for k in keys if k not in counts]
    if missing:
        raise ValueError(f"{name} lacks {', '.join(missing)}")


def _require_sum(figures: Iterable[Figure], total: float, name: str) -> None:
    values = [f.value for f in figures]
    if abs(sum(values) - total) > 1e-6:
        raise ValueError(f"{name} adds up to {sum(values)}, not {total}")


class CapacityDemand(Model):
    """Care capacity against demand for one locality and pathway.

    `capacity` counts the patients the services could take now (starts per day,
    beds vacant and accepting, slots), as `basis` says; `demand` the patients of
    that locality ready to leave on that pathway. `gap` = capacity - demand:
    negative is a shortfall. Without patient counts (no patient-flow data) `demand`
    is None, never a zero, and so is the gap.
    """

    locality: str
    locality_name: str
    pathway: Pathway
    basis: str = Field(description="What the capacity counts, e.g. 'reablement starts per day'")
    capacity: Figure | None = Field(description="None: no service counted for this pathway")
    demand: Figure | None = Field(description="None: patients waiting are not known")
    gap: Figure | None

    @model_validator(mode="after")
    def _gap_is_the_difference(self) -> Self:
        if (self.capacity is None or self.demand is None) != (self.gap is None):
            raise ValueError("a gap exists exactly when a capacity and a demand do")
        if (
            self.capacity is not None
            and self.demand is not None
            and self.gap is not None
            and abs(self.gap.value - (self.capacity.value - self.demand.value)) > 1e-6
        ):
            raise ValueError("gap is not capacity - demand")
        return self


def capacity_demand(
    locality: str,
    locality_name: str,
    pathway: Pathway,
    basis: str,
    capacity: Figure | None,
    demand: Figure | None,
) -> CapacityDemand:
    gap = None
    if capacity is not None and demand is not None:
        gap = derive(capacity.value - demand.value, Unit.places, [capacity, demand])
    return CapacityDemand(
        locality=locality,
        locality_name=locality_name,
        pathway=pathway,
        basis=basis,
        capacity=capacity,
        demand=demand,
        gap=gap,
    )


class CareCapacitySection(Model):
    rows: list[CapacityDemand]


class SitrepStatus(StrEnum):
    on_time = "on_time"
    late = "late"
    missing = "missing"  # the deadline has passed with nothing received
    not_yet_due = "not_yet_due"


class SitrepReturn(Model):
    org: str
    org_name: str
    status: SitrepStatus
    submitted_at: AwareDatetime | None = None

    @model_validator(mode="after")
    def _submitted_when_received(self) -> Self:
        received = self.status in (SitrepStatus.on_time, SitrepStatus.late)
        if received != (self.submitted_at is not None):
            raise ValueError("submitted_at is set exactly for returns received")
        return self


class SitrepSection(Model):
    """The returns of one sitrep date (usually yesterday's: today's is due after the call)."""

    sitrep_date: date
    deadline: AwareDatetime
    source: str
    as_of: AwareDatetime
    returns: list[SitrepReturn]

    def with_status(self, status: SitrepStatus) -> list[SitrepReturn]:
        return [r for r in self.returns if r.status == status]


class SourceFreshness(Model):
    """How old one source's figures were when the summary was built.

    `as_of` is the oldest figure counted from the source: a total is only as current
    as its oldest part (a trust's beds with one ward silent for a day are stale, as
    the bed roll-ups say). For a source of one figure, that figure.
    """

    source: str
    label: str = Field(description="What the source is, in words")
    as_of: AwareDatetime | None = Field(description="None: nothing ever received")
    age_seconds: float | None
    limit_seconds: float = Field(gt=0, description="Older than this, the source is stale")
    stale: bool


def source_freshness(
    source: str, label: str, as_of: AwareDatetime | None, limit: timedelta, now: AwareDatetime
) -> SourceFreshness:
    """Stale once older than its limit (exactly at the limit it is not); never received is stale."""
    age = None if as_of is None else (now - as_of).total_seconds()
    return SourceFreshness(
        source=source,
        label=label,
        as_of=as_of,
        age_seconds=age,
        limit_seconds=limit.total_seconds(),
        stale=age is None or age > limit.total_seconds(),
    )


class ChangeSentence(Model):
    """One line of "what changed", made by a rule of `changes.py` from the numbers."""

    text: str
    subject: str = Field(description="Code of the system or organisation")
    topic: str = Field(description="The rule that made it: opel_level, beds, ...")


class OutlookDay(Model):
    day: date
    expected: Figure | None = Field(description="Mean of the same weekday; None: no history")
    low: int | None
    high: int | None
    weeks: int = Field(ge=0, description="How many past same weekdays the mean rests on")


class OutlookPathway(Model):
    pathway: Pathway
    days: list[OutlookDay]
    capacity_now: Figure | None = Field(description="The capacity known now, per day")


class Outlook(Model):
    method: str = Field(description="How the expectation was made, in words, for the reader")
    first_day: date
    weeks_wanted: int
    weeks_available: int = Field(description="The fewest weeks any day's mean rests on")
    pathways: list[OutlookPathway]


class TrendPoint(Model):
    day: date
    figure: Figure


class Trend(Model):
    subject: str
    label: str
    points: list[TrendPoint] = Field(description="Oldest first, one per day")


class Trends(Model):
    """The last 14 days, for the trend chart."""

    occupancy: list[Trend] = Field(description="Adult G&A occupancy, one trend per acute trust")
    discharge_ready: Trend | None = Field(description="The system's patients ready to leave")


class Area(Model):
    """The system as a whole, or one organisation in it."""

    code: str = Field(description="System code, or the organisation's ODS code")
    name: str
    short_name: str = Field(description="For sentences and column heads: 'Great Western'")
    kind: str = Field(description="'system', or the organisation's kind: acute, community, ...")
    opel: OpelStatus | None = None
    beds: BedPosition | None = None
    patients: PatientsReady | None = None


class BuildTrigger(StrEnum):
    scheduled = "scheduled"
    on_demand = "on_demand"


class BuildInfo(Model):
    version: int = Field(ge=1, description="1 for the day's first build, then one more per rebuild")
    built_at: AwareDatetime
    built_by: BuildTrigger


class SummaryDocument(Model):
    schema_version: Literal[1] = SCHEMA_VERSION
    day: date
    timezone: str = "Europe/London"
    build: BuildInfo
    system: Area
    organisations: list[Area]
    freshness: list[SourceFreshness]
    changes: list[ChangeSentence]
    caveats: list[str] = Field(
        default_factory=list,
        description="What the reader must know to read the figures, e.g. a short history",
    )
    care: CareCapacitySection | None = None
    sitreps: SitrepSection | None = None
    outlook: Outlook | None = None
    trends: Trends | None = None

    @model_validator(mode="after")
    def _stale_figures_are_named(self) -> Self:
        # The page names stale sources at the top from `freshness`: a stale figure
        # whose source is not listed there would be hidden, so such a document is refused.
        named = {f.source for f in self.freshness if f.stale}
        for path, figure in iter_figures(self):
            if figure.stale and not figure.derived and figure.source not in named:
                raise ValueError(f"{path} is stale but {figure.source} is not a stale source")
        return self

    def areas(self) -> list[Area]:
        """The system first, then its organisations in their order."""
        return [self.system, *self.organisations]

    def stale_sources(self) -> list[SourceFreshness]:
        """Stale sources, oldest first (never received leads)."""
        stale = [f for f in self.freshness if f.stale]
        return sorted(stale, key=lambda f: (f.age_seconds is not None, -(f.age_seconds or 0)))


__all__ = [
    "Area",
    "BedPosition",
    "BuildInfo",
    "BuildTrigger",
    "CapacityDemand",
    "CareCapacitySection",
    "ChangeSentence",
    "DelayBand",
    "Figure",
    "OpelStatus",
    "Outlook",
    "OutlookDay",
    "OutlookPathway",
    "Pathway",
    "PatientsReady",
    "ReasonCount",
    "SitrepReturn",
    "SitrepSection",
    "SitrepStatus",
    "SourceFreshness",
    "SummaryDocument",
    "Tracked",
    "Trend",
    "TrendPoint",
    "Trends",
    "Unit",
    "capacity_demand",
    "source_freshness",
]
