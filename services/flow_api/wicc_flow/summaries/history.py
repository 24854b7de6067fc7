"""Yesterday, the 7-day mean and the 14-day trend of a figure, from the figures
earlier days' summaries recorded (`flow.summary_figure`; the latest build of a day
wins), and what a build records for the days after it.

An earlier figure is shown as that day's summary recorded it: its value and `as_of`,
its source the summary that recorded it. Its staleness then is not carried over:
staleness is about the live position now, which today's figure and the change (derived
from it) carry. A day with no summary is unknown and skipped, never a zero; how many
days there were is said in the document (`coverage_note`).
"""

from __future__ import annotations

from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, timedelta

from wicc_flow.summaries import sources
from wicc_flow.summaries.document import Area, SummaryDocument, TrendPoint
from wicc_flow.summaries.figures import Figure, Tracked, Unit, tracked
from wicc_flow.summaries.formatting import long_date
from wicc_flow.summaries.inputs import HistoryFigures

# The metrics a summary records, per area (the system or an organisation).
OCCUPANCY = "beds.occupancy"
OCCUPANCY_CORE = "beds.occupancy_core"
ESCALATION_OPEN = "beds.escalation_open"
CLOSED_INFECTION = "beds.closed_infection"
PATIENTS_READY = "patients.ready"
OPEL_LEVEL = "opel.level"
OPEL_SCORE = "opel.score"
OVERDUE_ACTIONS = "opel.overdue_actions"

MEAN_DAYS = 7
TREND_DAYS = 14
OUTLOOK_WEEKS = 8
# How far back a build reads: the outlook's 8 weeks of same weekdays.
READ_DAYS = OUTLOOK_WEEKS * 7


@dataclass(frozen=True)
class History:
    system: str
    day: date  # the summary's day; history is the days before it
    figures: HistoryFigures

    @property
    def first_day(self) -> date:
        return self.day - timedelta(days=READ_DAYS)

    def on(self, subject: str, metric: str, day: date) -> Figure | None:
        return self.figures.get((subject, metric), {}).get(day)

    def tracked(self, subject: str, metric: str, today: Figure) -> Tracked:
        yesterday = self.on(subject, metric, self.day - timedelta(days=1))
        return tracked(today, yesterday, self.mean(subject, metric, today.unit))

    def mean(self, subject: str, metric: str, unit: Unit) -> Figure | None:
        """The mean of the 7 days to yesterday that have a figure."""
        days = [self.day - timedelta(days=back) for back in range(MEAN_DAYS, 0, -1)]
        found = [(d, f) for d in days if (f := self.on(subject, metric, d)) is not None]
        if not found:
            return None
        value = round(sum(f.value for _, f in found) / len(found), 1)
        return Figure(
            value=value,
            unit=unit,
            source=sources.summaries(self.system, found[0][0], found[-1][0], len(found)),
            as_of=max(f.as_of for _, f in found),
        )

    def trend(self, subject: str, metric: str, today: Figure) -> list[TrendPoint]:
        """The days of the last 14 that have a figure, oldest first, ending with today."""
        days = [self.day - timedelta(days=back) for back in range(TREND_DAYS - 1, 0, -1)]
        points = [
            TrendPoint(day=d, figure=f)
            for d in days
            if (f := self.on(subject, metric, d)) is not None
        ]
        return [*points, TrendPoint(day=self.day, figure=today)]

    def days_recorded(self, days: int = MEAN_DAYS) -> int:
        """How many of the `days` before the summary's day have a summary."""
        wanted = {self.day - timedelta(days=back) for back in range(1, days + 1)}
        seen = {d for by_day in self.figures.values() for d in by_day}
        return len(wanted & seen)

    def coverage_note(self) -> str | None:
        recorded = self.days_recorded()
        if recorded >= MEAN_DAYS:
            return None
        before = long_date(self.day)
        if recorded == 0:
            return (
                f"No summary was built for this system in the {MEAN_DAYS} days before "
                f"{before}, so there are no changes since yesterday, 7-day means or "
                "trends yet: only today's figures."
            )
        return (
            f"History is short: summaries exist for {recorded} of the {MEAN_DAYS} days "
            f"before {before}. Yesterday's values and changes appear only where yesterday "
            "had a summary, 7-day means rest on the days there were, and the trends "
            "show only those days."
        )


@dataclass(frozen=True)
class Recorded:
    """One figure of today's summary, kept for the days after it."""

    subject: str
    metric: str
    figure: Figure


def recorded(doc: SummaryDocument) -> Iterator[Recorded]:
    """Today's figures of every area, by metric (`beds.occupancy`, ...)."""
    for area in doc.areas():
        for metric, item in _tracked_of(area):
            yield Recorded(area.code, metric, item.today)


def _tracked_of(area: Area) -> Iterator[tuple[str, Tracked]]:
    if area.beds is not None:
        yield OCCUPANCY, area.beds.occupancy
        yield OCCUPANCY_CORE, area.beds.occupancy_core
        yield ESCALATION_OPEN, area.beds.escalation_beds_open
        yield CLOSED_INFECTION, area.beds.beds_closed_infection
    if area.patients is not None:
        yield PATIENTS_READY, area.patients.total
    if area.opel is not None:
        yield OPEL_LEVEL, area.opel.level
        yield OPEL_SCORE, area.opel.score
        yield OVERDUE_ACTIONS, area.opel.overdue_actions
