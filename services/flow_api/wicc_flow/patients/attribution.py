"""Which delay a discharge-ready patient's day is attributed to.

A patient can wait on several things at once, but each day must count once, under one
reason, or the lost bed days by reason would add up to more than the lost bed days.
The national acute discharge sitrep likewise takes one reason per patient. The rule:

  On day D, the delays open on D are those with `start <= D < end` (or no end yet).
  The day goes to the one that started first: the longest-standing wait is taken as
  the one holding the patient. Two opened on the same day are ordered by reason code,
  so the choice never depends on the order the delays were stored or sent in.
  A day with no open delay has no reason (reported as `none_recorded`).

The same rule serves lost bed days (every day of a stay) and the sitrep (one day).
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date
from itertools import pairwise

from wicc_flow.patients.records import Delay


@dataclass(frozen=True, slots=True)
class Span:
    """Consecutive days `[first, stop)` attributed to one delay (or to none)."""

    first: date
    stop: date
    delay: Delay | None

    @property
    def days(self) -> int:
        return (self.stop - self.first).days


def _precedence(delay: Delay) -> tuple[date, str, date]:
    return delay.start, delay.reason, delay.end or date.max


def delay_on(delays: Iterable[Delay], day: date) -> Delay | None:
    """The delay day `day` is attributed to, or None when no delay is open."""
    open_ones = [d for d in delays if d.open_on(day)]
    return min(open_ones, key=_precedence, default=None)


def spans(delays: Sequence[Delay], first: date, stop: date) -> list[Span]:
    """The days `[first, stop)` cut where the attributed delay can change, each span
    with its delay. Empty when `stop <= first`.

    Which delays are open only changes on a delay's start or end, so only those days
    can begin a new span; within a span every day gets the same delay.
    """
    if stop <= first:
        return []
    cuts = {first, stop}
    for delay in delays:
        cuts.update(d for d in (delay.start, delay.end) if d is not None and first < d < stop)
    ordered = sorted(cuts)
    return [Span(begin, end, delay_on(delays, begin)) for begin, end in pairwise(ordered)]
