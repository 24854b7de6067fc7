"""The outlook: patients expected to become ready to leave, per day and pathway,
for the next 7 days, beside the capacity known now.

Method (stated in the document itself, for the reader): for each day ahead, the
mean of the same weekday's counts over the last 8 weeks, with the lowest and
highest of those counts as its range. Same-weekday means follow the weekly cycle
of discharges (quiet weekends, busy Mondays) without a model to explain.

Why min-max: if the weeks are alike (exchangeable), a new day falls between the
lowest and highest of n past days with probability (n - 1) / (n + 1): 7 in 9
(78 %) for 8 weeks. That holds whatever the distribution, and is plain to say.

A short history is said, not hidden: each day carries how many weeks its mean
rests on, the method names the fewest, and a day with no history has no
expectation at all (None), never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date, datetime, timedelta

from wicc_flow.summaries.codes import Pathway
from wicc_flow.summaries.document import Outlook, OutlookDay, OutlookPathway
from wicc_flow.summaries.figures import DERIVED_PREFIX, Figure, Unit
from wicc_flow.summaries.formatting import long_date

WEEKS = 8
DAYS = 7

# One day's counts per pathway. A day missing from the history is unknown and
# skipped; a pathway missing from a day that is present counted zero.
History = Mapping[date, Mapping[Pathway, int]]


def outlook(
    history: History,
    *,
    first_day: date,
    capacity: Mapping[Pathway, Figure | None],
    source: str,
    as_of: datetime,
    what: str = "patients becoming ready to leave",
    days: int = DAYS,
    weeks: int = WEEKS,
) -> Outlook:
    """The outlook from `first_day` for `days` days, from history before `first_day`.

    `source` and `as_of` are those of the history (the expectations are derived
    from it); `capacity` is per pathway, per day, as known now.
    """
    if days < 1 or weeks < 1:
        raise ValueError("an outlook needs at least one day and one week")
    ahead = [first_day + timedelta(days=i) for i in range(days)]
    pathways = [
        OutlookPathway(
            pathway=pathway,
            days=[_day(history, pathway, day, first_day, weeks, source, as_of) for day in ahead],
            capacity_now=capacity.get(pathway),
        )
        for pathway in Pathway
    ]
    available = min(d.weeks for p in pathways for d in p.days)
    return Outlook(
        method=method(what, first_day, weeks, available),
        first_day=first_day,
        weeks_wanted=weeks,
        weeks_available=available,
        pathways=pathways,
    )


def same_weekdays(day: date, first_day: date, weeks: int) -> list[date]:
    """The `weeks` most recent days before `first_day` on `day`'s weekday, newest first."""
    weeks_back = -(-((day - first_day).days + 1) // 7)  # ceiling: the first week fully past
    newest = day - timedelta(weeks=weeks_back)
    return [newest - timedelta(weeks=k) for k in range(weeks)]


def _day(
    history: History,
    pathway: Pathway,
    day: date,
    first_day: date,
    weeks: int,
    source: str,
    as_of: datetime,
) -> OutlookDay:
    counts = [
        history[past].get(pathway, 0)
        for past in same_weekdays(day, first_day, weeks)
        if past in history
    ]
    if not counts:
        return OutlookDay(day=day, expected=None, low=None, high=None, weeks=0)
    expected = Figure(
        value=round(sum(counts) / len(counts), 1),
        unit=Unit.patients,
        source=f"{DERIVED_PREFIX}{source})",
        as_of=as_of,
    )
    return OutlookDay(
        day=day, expected=expected, low=min(counts), high=max(counts), weeks=len(counts)
    )


def method(what: str, first_day: date, weeks: int, available: int) -> str:
    text = [
        f"Expected {what} per day and pathway: the mean of the same weekday over the "
        f"last {weeks} weeks before {long_date(first_day)}, with the lowest and highest "
        "of those days as its range."
    ]
    if available >= 2:
        text.append(
            f"If the weeks are alike, a new day falls inside the range about "
            f"{available - 1} times in {available + 1}."
        )
    if 0 < available < weeks:
        text.append(
            f"History is short: some days rest on only {available} of {weeks} weeks, so "
            "their means are less sure and their ranges narrower than the real spread."
        )
    if available == 0:
        text.append("Days with no history at all show no expectation.")
    text.append(
        "Capacity is the capacity known now, per day: it is not forecast. "
        "No allowance is made for bank holidays or seasonal change."
    )
    return " ".join(text)
