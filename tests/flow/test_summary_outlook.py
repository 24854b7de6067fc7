"""The outlook: the same weekday's mean over the last 8 weeks, its range, and
honest handling of short or missing history."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders.summaries import AS_OF, CARE, PATIENTS, figure, history
from wicc_flow.summaries.codes import Pathway
from wicc_flow.summaries.document import Outlook, OutlookDay
from wicc_flow.summaries.figures import Unit
from wicc_flow.summaries.outlook import outlook, same_weekdays

THURSDAY = date(2026, 12, 3)


def make(hist: dict[date, dict[Pathway, int]], **kwargs: object) -> Outlook:
    return outlook(
        hist,
        first_day=THURSDAY,
        capacity={Pathway.p1: figure(15, Unit.places, source=CARE)},
        source=PATIENTS,
        as_of=AS_OF,
        **kwargs,  # type: ignore[arg-type]
    )


def day_of(result: Outlook, pathway: Pathway, day: date) -> OutlookDay:
    row = next(p for p in result.pathways if p.pathway == pathway)
    return next(d for d in row.days if d.day == day)


def test_same_weekdays_are_the_last_eight_before_the_first_day() -> None:
    thursdays = same_weekdays(THURSDAY, THURSDAY, 8)
    assert thursdays[0] == THURSDAY - timedelta(days=7)
    assert thursdays[-1] == THURSDAY - timedelta(days=56)
    wednesday = THURSDAY + timedelta(days=6)
    assert same_weekdays(wednesday, THURSDAY, 8)[0] == THURSDAY - timedelta(days=1)
    assert all(
        d < THURSDAY and d.weekday() == wednesday.weekday()
        for d in same_weekdays(wednesday, THURSDAY, 8)
    )


def test_mean_and_range_from_a_known_history() -> None:
    # P1 on the last eight Thursdays: 10, 12, ..., 24 (newest first); other days 99.
    hist = {THURSDAY - timedelta(days=back): {Pathway.p1: 99} for back in range(1, 57)}
    for k in range(1, 9):
        hist[THURSDAY - timedelta(weeks=k)] = {Pathway.p1: 8 + 2 * k}
    thursday = day_of(make(hist), Pathway.p1, THURSDAY)
    assert thursday.expected is not None
    assert thursday.expected.value == 17.0  # (10 + 24) / 2
    assert (thursday.low, thursday.high, thursday.weeks) == (10, 24, 8)
    friday = day_of(make(hist), Pathway.p1, THURSDAY + timedelta(days=1))
    assert friday.expected is not None and friday.expected.value == 99.0


def test_the_expectation_names_its_source_and_time() -> None:
    thursday = day_of(make(history()), Pathway.p0, THURSDAY)
    assert thursday.expected is not None
    assert thursday.expected.source == f"derived({PATIENTS})"
    assert thursday.expected.as_of == AS_OF


def test_a_pathway_missing_on_a_known_day_counted_zero() -> None:
    hist = {THURSDAY - timedelta(weeks=k): {Pathway.p1: 4} for k in range(1, 9)}
    p3 = day_of(make(hist), Pathway.p3, THURSDAY)
    assert p3.expected is not None and p3.expected.value == 0.0 and p3.weeks == 8


def test_a_missing_day_is_skipped_not_counted_zero() -> None:
    hist = {THURSDAY - timedelta(weeks=k): {Pathway.p1: 6} for k in range(1, 9)}
    del hist[THURSDAY - timedelta(weeks=3)]
    thursday = day_of(make(hist), Pathway.p1, THURSDAY)
    assert thursday.expected is not None
    assert (thursday.expected.value, thursday.weeks) == (6.0, 7)


def test_history_older_than_eight_weeks_or_not_before_the_first_day_is_ignored() -> None:
    hist = {THURSDAY - timedelta(weeks=k): {Pathway.p1: 6} for k in range(1, 9)}
    hist[THURSDAY - timedelta(weeks=9)] = {Pathway.p1: 600}
    hist[THURSDAY] = {Pathway.p1: 600}  # today, not complete yet
    thursday = day_of(make(hist), Pathway.p1, THURSDAY)
    assert thursday.expected is not None and thursday.expected.value == 6.0


def test_a_short_history_is_said_in_the_method() -> None:
    result = make(history(days=21))
    assert result.weeks_available == 3
    assert result.weeks_wanted == 8
    assert "only 3 of 8 weeks" in result.method
    assert "about 2 times in 4" in result.method
    assert all(d.weeks == 3 for p in result.pathways for d in p.days)


def test_a_full_history_states_the_method_and_its_range() -> None:
    result = make(history())
    assert result.weeks_available == 8
    assert "mean of the same weekday over the last 8 weeks" in result.method
    assert "about 7 times in 9" in result.method
    assert "short" not in result.method


def test_no_history_gives_no_expectation_not_zero() -> None:
    result = make({})
    thursday = day_of(result, Pathway.p1, THURSDAY)
    assert (thursday.expected, thursday.low, thursday.high, thursday.weeks) == (None, None, None, 0)
    assert "no expectation" in result.method


def test_seven_days_per_pathway_against_the_capacity_known_now() -> None:
    result = make(history())
    assert [p.pathway for p in result.pathways] == list(Pathway)
    assert all(len(p.days) == 7 for p in result.pathways)
    assert result.pathways[0].days[-1].day == THURSDAY + timedelta(days=6)
    capacity = {
        p.pathway: p.capacity_now.value if p.capacity_now else None for p in result.pathways
    }
    assert capacity == {Pathway.p0: None, Pathway.p1: 15, Pathway.p2: None, Pathway.p3: None}


def test_nonsense_spans_are_refused() -> None:
    with pytest.raises(ValueError, match="at least one day"):
        make(history(), days=0)


counts = st.dictionaries(
    st.integers(min_value=1, max_value=70).map(lambda back: THURSDAY - timedelta(days=back)),
    st.fixed_dictionaries({Pathway.p1: st.integers(min_value=0, max_value=60)}),
    max_size=70,
)


@given(counts)
def test_the_expectation_lies_within_its_range(hist: dict[date, dict[Pathway, int]]) -> None:
    for day in make(hist).pathways[1].days:
        if day.expected is None:
            assert day.weeks == 0
            continue
        assert day.low is not None and day.high is not None
        assert day.low - 0.05 <= day.expected.value <= day.high + 0.05
        assert 1 <= day.weeks <= 8


@given(st.integers(min_value=0, max_value=50), st.integers(min_value=1, max_value=60))
def test_a_constant_history_is_expected_to_continue(count: int, days: int) -> None:
    hist = {THURSDAY - timedelta(days=b): {Pathway.p1: count} for b in range(1, days + 1)}
    for day in make(hist).pathways[1].days:
        if day.expected is not None:
            assert (day.expected.value, day.low, day.high) == (count, count, count)
