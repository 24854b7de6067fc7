"""Patients ready to leave, from the derived discharge sitreps
(`discharge_sitrep.updated`, one per trust and day, counts only).

The builder gives `patients_ready` each trust's latest payload for the summary's day
(the board's `patients` section) and the lost bed days of the days before
(`patient_inputs.py`); `waiting` gives the care section its demand. Every function
here returns None (or nothing) when there is no data, so a trust that has sent no
records never reads as zero patients.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta

from wicc_flow.summaries.codes import DelayBand, Pathway
from wicc_flow.summaries.document import Outlook, PatientsReady, ReasonCount
from wicc_flow.summaries.figures import Figure, Unit
from wicc_flow.summaries.history import PATIENTS_READY, History
from wicc_flow.summaries.outlook import outlook
from wicc_shared.catalogue.patients import DischargeSitrepUpdated

NO_REASON = "none_recorded"


def source(subject: str) -> str:
    return f"flow:discharge_sitrep.updated?subject={subject}"


@dataclass(frozen=True)
class Counts:
    """Patients remaining ready to leave, summed over one or more trusts' sitreps."""

    remaining: int
    by_pathway: Mapping[Pathway, int]
    by_band: Mapping[DelayBand, int]
    by_reason: Mapping[str, int]
    as_of: datetime  # the oldest sitrep counted


def counts_of(sitreps: Sequence[DischargeSitrepUpdated]) -> Counts | None:
    if not sitreps:
        return None
    pathways: Counter[Pathway] = Counter()
    bands: Counter[DelayBand] = Counter()
    reasons: Counter[str] = Counter()
    for sitrep in sitreps:
        pathways.update({Pathway(f"P{p.pathway}"): p.remaining for p in sitrep.by_pathway})
        bands.update({DelayBand(b.band): b.patients for b in sitrep.bands})
        reasons.update({r.reason: r.remaining for r in sitrep.by_reason if r.remaining})
    return Counts(
        remaining=sum(s.remaining for s in sitreps),
        by_pathway={p: pathways[p] for p in Pathway},
        by_band={b: bands[b] for b in DelayBand},
        by_reason=dict(reasons),
        as_of=min(s.as_of for s in sitreps),
    )


def patients_ready(
    subject: str,
    counts: Counts | None,
    lost_by_day: Mapping[date, int],
    history: History,
    *,
    label: Callable[[str], str],
    stale: bool = False,
) -> PatientsReady | None:
    """An area's patients ready to leave; None without a sitrep. `lost_by_day`: the
    area's lost bed days counted for each day before the summary's."""
    if counts is None:
        return None

    def figure(value: int, unit: Unit = Unit.patients) -> Figure:
        return Figure(
            value=value, unit=unit, source=source(subject), as_of=counts.as_of, stale=stale
        )

    yesterday = history.day - timedelta(days=1)
    week = [history.day - timedelta(days=back) for back in range(1, 8)]
    reasons = sorted(counts.by_reason.items(), key=lambda item: (-item[1], item[0]))
    return PatientsReady(
        total=history.tracked(subject, PATIENTS_READY, figure(counts.remaining)),
        by_pathway={p: figure(n) for p, n in counts.by_pathway.items()},
        by_band={b: figure(n) for b, n in counts.by_band.items()},
        by_reason=[ReasonCount(code=c, label=label(c), count=figure(n)) for c, n in reasons],
        lost_bed_days_yesterday=figure(lost_by_day.get(yesterday, 0), Unit.bed_days),
        lost_bed_days_7d=figure(sum(lost_by_day.get(d, 0) for d in week), Unit.bed_days),
    )


def waiting(sitreps: Iterable[DischargeSitrepUpdated]) -> dict[tuple[str, Pathway], int]:
    """Patients waiting per (destination locality, pathway): the care section's demand."""
    found: Counter[tuple[str, Pathway]] = Counter()
    for sitrep in sitreps:
        for w in sitrep.waiting:
            if w.locality is not None:
                found[(w.locality, Pathway(f"P{w.pathway}"))] += w.patients
    return dict(found)


def outlook_of(
    history: History,
    became_ready: Mapping[date, Mapping[Pathway, int]],
    capacity: Mapping[Pathway, Figure | None],
    now: datetime,
) -> Outlook | None:
    """The next 7 days' expected patients becoming ready, per pathway, from the days
    before (counted from the records at the build); None while there are none."""
    if not became_ready:
        return None
    return outlook(
        {day: dict(counts) for day, counts in became_ready.items()},
        first_day=history.day,
        capacity=capacity,
        source=f"flow:/flow/v1/patients?system={history.system}",
        as_of=now,
    )
