"""Lost bed days: the days a patient stays in hospital after they are ready to leave.

The counting rule (docs/patient-flow.md, "Lost bed days", has worked examples, and the
tests run every one of them):

1. Days are calendar days in the system's time zone (Europe/London): an instant such
   as a discharge at 00:30 BST on 13 July falls on 13 July, though it is 12 July UTC.
2. A stay is ready from its discharge ready date (DRD) up to, *not including*, the day
   it stops being ready: the day of discharge, or of withdrawal (the patient met the
   criteria to reside again, or died), whichever came first. The DRD itself counts;
   the day of discharge does not. So a whole stay loses exactly
   `discharge date - DRD` days, as the national definition of delay has it, and a
   patient discharged on their DRD loses 0.
3. A stay still open counts up to, not including, `today`: today is not lost until it
   is over. (It ends like a stay discharged today; a closing day later than today is
   cut at today too, so the future is never counted.)
4. A report covers the period `[first, last]`, both days included. A stay contributes
   the lost days that fall inside it: the period cuts the stay, never the other way.
   So a stay still in hospital after `last` counts every day up to and including
   `last`, and splitting a period in two splits each stay's days exactly.
5. Each lost day counts once per patient, attributed to one delay by the rule in
   `attribution.py` (the earliest-started open delay). Delays only *attribute* days:
   a delay open before the DRD adds nothing (the patient still needed the bed), a
   delay open after the stay closed adds nothing, and a lost day with no open delay
   still counts, under `none_recorded`.

So the totals by org, pathway, locality, reason or responsible party all equal the
overall total, and no patient counts more days than the period has.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date, timedelta, tzinfo
from enum import StrEnum

from wicc_flow.patients.attribution import Span, spans
from wicc_flow.patients.delay_reasons import NO_REASON, DelayReasons, Scheme
from wicc_flow.patients.records import PatientStay, Responsible


@dataclass(frozen=True, slots=True)
class Period:
    """The calendar days `first` to `last`, both included."""

    first: date
    last: date

    def __post_init__(self) -> None:
        if self.last < self.first:
            raise ValueError("a period cannot end before it starts")

    @property
    def days(self) -> int:
        return (self.last - self.first).days + 1


@dataclass(frozen=True, slots=True)
class LostDay:
    day: date
    reason: str | None  # the delay's reason code; None when no delay was open
    responsible: Responsible | None


class Split(StrEnum):
    """What a report groups lost bed days by."""

    org = "org"
    reason = "reason"
    pathway = "pathway"
    locality = "locality"
    responsible = "responsible"


@dataclass(frozen=True, slots=True)
class GroupTotal:
    key: str
    bed_days: int
    patients: int  # patients with at least one lost day in this group


@dataclass(frozen=True, slots=True)
class LostBedDaysReport:
    period: Period
    by: Split
    scheme: Scheme  # the reason list used when `by` is reason
    reasons_version: str
    bed_days: int
    patients: int  # patients with at least one lost day (each once, whatever the split)
    groups: tuple[GroupTotal, ...]  # ordered by key; groups without a lost day are left out


def ready_spans(stay: PatientStay, period: Period, *, today: date, tz: tzinfo) -> list[Span]:
    """The stay's lost days inside the period, as spans attributed to delays."""
    first = max(stay.discharge_ready_date, period.first)
    closed = stay.closed_on(tz)
    until = today if closed is None else min(closed, today)
    stop = min(until, period.last + timedelta(days=1))
    return spans(stay.delays, first, stop)


def lost_bed_days(stay: PatientStay, period: Period, *, today: date, tz: tzinfo) -> int:
    """How many of the period's days the stay lost."""
    return sum(span.days for span in ready_spans(stay, period, today=today, tz=tz))


def lost_days(stay: PatientStay, period: Period, *, today: date, tz: tzinfo) -> list[LostDay]:
    """Each lost day of the stay inside the period, in order, with the delay it is
    attributed to."""
    result = []
    for span in ready_spans(stay, period, today=today, tz=tz):
        reason = span.delay.reason if span.delay else None
        responsible = span.delay.responsible if span.delay else None
        for offset in range(span.days):
            result.append(LostDay(span.first + timedelta(days=offset), reason, responsible))
    return result


def report(
    stays: Iterable[PatientStay],
    period: Period,
    *,
    by: Split,
    reasons: DelayReasons,
    scheme: Scheme = Scheme.nctr,
    today: date,
    tz: tzinfo,
) -> LostBedDaysReport:
    """Lost bed days of many stays over a period, split as asked."""
    key_of = _key_function(by, reasons, scheme)
    bed_days: dict[str, int] = defaultdict(int)
    patients: dict[str, set[str]] = defaultdict(set)
    everyone: set[str] = set()
    for stay in stays:
        for span in ready_spans(stay, period, today=today, tz=tz):
            key = key_of(stay, span)
            bed_days[key] += span.days
            patients[key].add(stay.id)
            everyone.add(stay.id)
    groups = tuple(GroupTotal(k, bed_days[k], len(patients[k])) for k in sorted(bed_days))
    return LostBedDaysReport(
        period=period,
        by=by,
        scheme=scheme,
        reasons_version=reasons.version,
        bed_days=sum(bed_days.values()),
        patients=len(everyone),
        groups=groups,
    )


KeyFunction = Callable[[PatientStay, Span], str]


def _key_function(by: Split, reasons: DelayReasons, scheme: Scheme) -> KeyFunction:
    if by is Split.org:
        return lambda stay, _: stay.org
    if by is Split.pathway:
        return lambda stay, _: str(int(stay.pathway))
    if by is Split.locality:
        return lambda stay, _: stay.destination_locality
    if by is Split.responsible:
        return lambda _, span: span.delay.responsible.value if span.delay else NO_REASON
    return lambda _, span: reasons.group_key(span.delay.reason if span.delay else None, scheme)
