"""The national delay bands: days from the discharge ready date (DRD) to discharge.

0, 1, 2-3, 4-6, 7-13, 14-20 and 21+ days, as the monthly national discharge-delay
figures publish them. A patient discharged on their DRD is in band 0. For a patient
still in hospital, the days so far (the day counted minus the DRD) place them.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass


@dataclass(frozen=True, slots=True)
class DelayBand:
    """Days `low` to `high` inclusive; `high` None for the open top band. `name` is
    for display and CSV: "2-3 days" stays text in a spreadsheet, where "2-3" would
    be read as a date."""

    label: str
    name: str
    low: int
    high: int | None

    def contains(self, days: int) -> bool:
        return self.low <= days and (self.high is None or days <= self.high)


BANDS: tuple[DelayBand, ...] = (
    DelayBand("0", "0 days", 0, 0),
    DelayBand("1", "1 day", 1, 1),
    DelayBand("2-3", "2-3 days", 2, 3),
    DelayBand("4-6", "4-6 days", 4, 6),
    DelayBand("7-13", "7-13 days", 7, 13),
    DelayBand("14-20", "14-20 days", 14, 20),
    DelayBand("21+", "21+ days", 21, None),
)


@dataclass(frozen=True, slots=True)
class BandTally:
    band: DelayBand
    patients: int
    bed_days: int  # the sum of the patients' delays: the bed days lost in this band


def band_for(days: int) -> DelayBand:
    """The band of a delay of `days` days (never negative)."""
    if days < 0:
        raise ValueError("a delay cannot be negative")
    return next(band for band in BANDS if band.contains(days))


def tally(delays: Iterable[int]) -> tuple[BandTally, ...]:
    """Patients and bed days per band, for every band (empty ones with zeros)."""
    patients = dict.fromkeys(BANDS, 0)
    bed_days = dict.fromkeys(BANDS, 0)
    for days in delays:
        band = band_for(days)
        patients[band] += 1
        bed_days[band] += days
    return tuple(BandTally(band, patients[band], bed_days[band]) for band in BANDS)
