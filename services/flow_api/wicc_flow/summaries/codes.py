"""The national code lists the summary counts by: discharge pathways and the
delay bands of the monthly discharge-delay publication."""

from __future__ import annotations

from enum import StrEnum


class Pathway(StrEnum):
    """Where a patient ready to leave is going (national discharge pathways)."""

    p0 = "P0"  # home, no new support
    p1 = "P1"  # home with new support: reablement, dom care
    p2 = "P2"  # short-term bed: community hospital, intermediate care
    p3 = "P3"  # care home placement


class DelayBand(StrEnum):
    """Days since the discharge ready date, in the national monthly bands."""

    d0 = "0"
    d1 = "1"
    d2_3 = "2-3"
    d4_6 = "4-6"
    d7_13 = "7-13"
    d14_20 = "14-20"
    d21_plus = "21+"


# The first day of each band, in band order; a band runs up to the next one's start.
_BAND_STARTS: tuple[tuple[int, DelayBand], ...] = (
    (21, DelayBand.d21_plus),
    (14, DelayBand.d14_20),
    (7, DelayBand.d7_13),
    (4, DelayBand.d4_6),
    (2, DelayBand.d2_3),
    (1, DelayBand.d1),
    (0, DelayBand.d0),
)


def delay_band(days: int) -> DelayBand:
    """The band of a delay of `days` whole days (0 = still on the ready date)."""
    if days < 0:
        raise ValueError(f"a delay cannot be negative: {days} days")
    for start, band in _BAND_STARTS:
        if days >= start:
            return band
    raise AssertionError("unreachable: the last band starts at 0")
