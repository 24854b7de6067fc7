"""The national delay bands."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wicc_flow.patients.delay_bands import BANDS, band_for, tally


@pytest.mark.parametrize(
    ("days", "label"),
    [
        (0, "0"),
        (1, "1"),
        (2, "2-3"),
        (3, "2-3"),
        (4, "4-6"),
        (6, "4-6"),
        (7, "7-13"),
        (13, "7-13"),
        (14, "14-20"),
        (20, "14-20"),
        (21, "21+"),
        (400, "21+"),
    ],
)
def test_each_edge_falls_in_its_band(days: int, label: str) -> None:
    assert band_for(days).label == label


def test_a_negative_delay_is_refused() -> None:
    with pytest.raises(ValueError, match="negative"):
        band_for(-1)


def test_tally_counts_patients_and_sums_their_days_in_every_band() -> None:
    result = {t.band.label: (t.patients, t.bed_days) for t in tally([0, 0, 2, 3, 25])}
    assert result == {
        "0": (2, 0),
        "1": (0, 0),
        "2-3": (2, 5),
        "4-6": (0, 0),
        "7-13": (0, 0),
        "14-20": (0, 0),
        "21+": (1, 25),
    }


def test_the_bands_have_names_spreadsheets_keep_as_text() -> None:
    assert [b.name for b in BANDS] == [
        "0 days",
        "1 day",
        "2-3 days",
        "4-6 days",
        "7-13 days",
        "14-20 days",
        "21+ days",
    ]


@given(st.lists(st.integers(0, 500)))
def test_every_delay_falls_in_exactly_one_band_and_nothing_is_lost(delays: list[int]) -> None:
    for days in delays:
        assert sum(band.contains(days) for band in BANDS) == 1
    result = tally(delays)
    assert sum(t.patients for t in result) == len(delays)
    assert sum(t.bed_days for t in result) == sum(delays)
