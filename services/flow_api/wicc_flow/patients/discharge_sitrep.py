"""The daily acute discharge sitrep of one trust, derived from its discharge-ready list.

Who counts on a date D (a calendar day in the system's time zone):

- a stay counts when its discharge ready date is on or before D and it was still
  ready at some point on D: not discharged before D, not withdrawn on or before D;
- it is **discharged** on D when its discharge (while still ready) falls on D;
- otherwise it is **remaining**: still in hospital and ready at the end of D.

So `nctr_patients = discharged + remaining`, on every breakdown. A patient withdrawn
on D (met the criteria to reside again, or died) is not counted on D: they were
neither discharged as ready nor remain ready, and counting them would break that sum.

Remaining patients are split by delay reason, one reason each as the national return
asks: the delay the day D is attributed to (`attribution.py`: the earliest-started
delay open on D), under its national code; a patient with no delay open on D is under
`none_recorded`. Delay bands count days from the DRD: for a discharged patient the
national delay (discharge date - DRD), for a remaining one the days so far (D - DRD);
a band's bed days are the sum of its patients' days.

The trust's capacity sitrep also reports `nctr_patients` (a snapshot at 08:00). The
comparison sets it beside this sitrep's `nctr_patients`, the patients who were ready
at some point on D, and flags any difference: a difference means one of the two
sources is out of date or wrong, which a coordinator should see rather than have one
figure silently win.
"""

from __future__ import annotations

import csv
import io
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date, tzinfo
from enum import StrEnum

from wicc_flow.patients.attribution import delay_on
from wicc_flow.patients.delay_bands import BandTally, tally
from wicc_flow.patients.delay_reasons import NO_REASON, DelayReasons, Scheme
from wicc_flow.patients.records import Pathway, PatientStay


class Status(StrEnum):
    discharged = "discharged"
    remaining = "remaining"


@dataclass(frozen=True, slots=True)
class PathwayCounts:
    pathway: Pathway
    nctr_patients: int
    discharged: int
    remaining: int


@dataclass(frozen=True, slots=True)
class ReasonCount:
    reason: str  # a national NCTR code, or none_recorded
    remaining: int


@dataclass(frozen=True, slots=True)
class NctrComparison:
    derived: int  # this sitrep's nctr_patients
    reported: int  # the capacity sitrep's nctr_patients for the same trust and date
    difference: int  # derived - reported
    differs: bool


@dataclass(frozen=True, slots=True)
class DischargeSitrep:
    org: str
    date: date
    reasons_version: str
    nctr_patients: int
    discharged: int
    remaining: int
    by_pathway: tuple[PathwayCounts, ...]  # every pathway, 0 to 3
    by_reason: tuple[ReasonCount, ...]  # every national reason in order, then none_recorded
    discharged_bands: tuple[BandTally, ...]
    remaining_bands: tuple[BandTally, ...]
    capacity_comparison: NctrComparison | None  # None without a capacity sitrep figure


def status_on(stay: PatientStay, day: date, tz: tzinfo) -> Status | None:
    """How a stay counts on `day`, or None when it does not count."""
    if stay.discharge_ready_date > day:
        return None
    closed = stay.closed_on(tz)
    if closed is None or closed > day:
        return Status.remaining
    if closed == day and stay.discharged_ready:
        return Status.discharged
    return None


def derive(
    stays: Iterable[PatientStay],
    *,
    org: str,
    day: date,
    reasons: DelayReasons,
    tz: tzinfo,
    capacity_nctr_patients: int | None = None,
) -> DischargeSitrep:
    """The sitrep of `org` for `day` from stays (other organisations' are ignored)."""
    statuses = ((s, status_on(s, day, tz)) for s in stays if s.org == org)
    counted = [(s, status) for s, status in statuses if status is not None]
    remaining = [s for s, status in counted if status is Status.remaining]
    discharged = [s for s, status in counted if status is Status.discharged]
    return DischargeSitrep(
        org=org,
        date=day,
        reasons_version=reasons.version,
        nctr_patients=len(counted),
        discharged=len(discharged),
        remaining=len(remaining),
        by_pathway=_by_pathway(counted),
        by_reason=_by_reason(remaining, day, reasons),
        discharged_bands=tally((day - s.discharge_ready_date).days for s in discharged),
        remaining_bands=tally((day - s.discharge_ready_date).days for s in remaining),
        capacity_comparison=_compare(len(counted), capacity_nctr_patients),
    )


def _by_pathway(counted: list[tuple[PatientStay, Status]]) -> tuple[PathwayCounts, ...]:
    tallies = Counter((s.pathway, status) for s, status in counted)
    return tuple(
        PathwayCounts(
            pathway=p,
            nctr_patients=tallies[p, Status.discharged] + tallies[p, Status.remaining],
            discharged=tallies[p, Status.discharged],
            remaining=tallies[p, Status.remaining],
        )
        for p in Pathway
    )


def _by_reason(
    remaining: list[PatientStay], day: date, reasons: DelayReasons
) -> tuple[ReasonCount, ...]:
    def key(stay: PatientStay) -> str:
        delay = delay_on(stay.delays, day)
        return reasons.group_key(delay.reason if delay else None, Scheme.nctr)

    counts = Counter(key(s) for s in remaining)
    codes = [r.code for r in reasons.national] + [NO_REASON]
    return tuple(ReasonCount(code, counts[code]) for code in codes)


def _compare(derived: int, reported: int | None) -> NctrComparison | None:
    if reported is None:
        return None
    return NctrComparison(derived, reported, derived - reported, derived != reported)


CSV_COLUMNS = ("org", "date", "measure", "breakdown", "category", "value")


def to_csv(sitrep: DischargeSitrep) -> str:
    """The sitrep as CSV, one figure per row (columns: CSV_COLUMNS; see
    docs/patient-flow.md for every measure, breakdown and category)."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")
    writer.writerow(CSV_COLUMNS)
    for measure, breakdown, category, value in _csv_figures(sitrep):
        writer.writerow((sitrep.org, sitrep.date.isoformat(), measure, breakdown, category, value))
    return out.getvalue()


def _csv_figures(sitrep: DischargeSitrep) -> list[tuple[str, str, str, int]]:
    rows = [
        ("nctr_patients", "all", "", sitrep.nctr_patients),
        ("discharged", "all", "", sitrep.discharged),
        ("remaining", "all", "", sitrep.remaining),
    ]
    for p in sitrep.by_pathway:
        rows += [
            ("nctr_patients", "pathway", str(int(p.pathway)), p.nctr_patients),
            ("discharged", "pathway", str(int(p.pathway)), p.discharged),
            ("remaining", "pathway", str(int(p.pathway)), p.remaining),
        ]
    rows += [("remaining", "reason", r.reason, r.remaining) for r in sitrep.by_reason]
    for status, bands in (
        ("discharged", sitrep.discharged_bands),
        ("remaining", sitrep.remaining_bands),
    ):
        for t in bands:
            rows.append((status, "delay_band", t.band.name, t.patients))
            rows.append((f"{status}_bed_days", "delay_band", t.band.name, t.bed_days))
    if sitrep.capacity_comparison is not None:
        rows.append(
            ("capacity_sitrep_nctr_patients", "all", "", sitrep.capacity_comparison.reported)
        )
        rows.append(("nctr_patients_difference", "all", "", sitrep.capacity_comparison.difference))
    return rows
