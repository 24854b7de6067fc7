"""Lost bed days: the counting rule's edges, and properties that must hold for any stays.
(The documented worked examples run in test_patients_doc_examples.py.)"""

from __future__ import annotations

import random
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from tests.builders.patients import LONDON, at, day, delay, reasons, stay
from tests.flow.patient_strategies import many_stays, periods, stays, todays
from wicc_flow.patients.attribution import delay_on
from wicc_flow.patients.delay_reasons import Scheme
from wicc_flow.patients.lost_bed_days import (
    Period,
    Split,
    lost_bed_days,
    lost_days,
    report,
)
from wicc_flow.patients.records import PatientStay

NOVEMBER = Period(day("2024-11-01"), day("2024-11-30"))
LATER = day("2024-12-15")


def count(s: PatientStay, period: Period = NOVEMBER, today: date = LATER) -> int:
    return lost_bed_days(s, period, today=today, tz=LONDON)


def test_a_period_cannot_end_before_it_starts() -> None:
    with pytest.raises(ValueError, match="period"):
        Period(day("2024-11-02"), day("2024-11-01"))
    assert Period(day("2024-11-01"), day("2024-11-01")).days == 1


def test_discharged_before_the_drd_loses_nothing() -> None:
    early = stay(ready="2024-11-10", discharged_at=at("2024-11-08"))
    assert count(early) == 0
    assert lost_days(early, NOVEMBER, today=LATER, tz=LONDON) == []


def test_the_discharge_day_is_the_day_in_the_system_time_zone() -> None:
    # 23:30 UTC on 10 July is 00:30 BST on 11 July: discharged on the 11th.
    summer = stay(ready="2024-07-10", discharged_at=datetime(2024, 7, 10, 23, 30, tzinfo=UTC))
    assert count(summer, Period(day("2024-07-01"), day("2024-07-31"))) == 1
    # 23:30 UTC on 10 November is 23:30 GMT: discharged on the 10th.
    winter = stay(ready="2024-11-10", discharged_at=datetime(2024, 11, 10, 23, 30, tzinfo=UTC))
    assert count(winter) == 0


def test_a_withdrawal_ends_the_stay_even_before_an_earlier_recorded_discharge_day() -> None:
    s = stay(
        ready="2024-11-05",
        withdrawn_at=at("2024-11-06", 10),
        discharged_at=at("2024-11-09", 10),
    )
    assert count(s) == 1
    discharged_first = replace(s, withdrawn_at=at("2024-11-12"))
    assert count(discharged_first) == 4


def test_an_open_stay_never_counts_the_future() -> None:
    s = stay(ready="2024-11-25")
    assert count(s, today=day("2024-11-27")) == 2
    assert count(s, today=day("2024-11-25")) == 0
    assert count(s, today=day("2024-11-20")) == 0


def test_each_day_reports_the_delay_it_is_attributed_to() -> None:
    s = stay(
        ready="2024-11-10",
        discharged_at=at("2024-11-13"),
        delays=(delay("transport", "2024-11-11"), delay("equipment", "2024-11-11")),
    )
    days = lost_days(s, NOVEMBER, today=LATER, tz=LONDON)
    # Same start: the reason code orders them, whatever order they were recorded in.
    assert [(d.day.day, d.reason) for d in days] == [
        (10, None),
        (11, "equipment"),
        (12, "equipment"),
    ]


def test_the_report_names_its_reason_list_version_and_leaves_empty_groups_out() -> None:
    s = stay(
        ready="2024-11-10", discharged_at=at("2024-11-12"), delays=(delay("medical", "2024-11-10"),)
    )
    result = report(
        [s],
        NOVEMBER,
        by=Split.reason,
        scheme=Scheme.dtoc,
        reasons=reasons(),
        today=LATER,
        tz=LONDON,
    )
    assert result.reasons_version == "delay-reasons-v1"
    assert [(g.key, g.bed_days, g.patients) for g in result.groups] == [("no_dtoc_category", 2, 1)]


def test_patients_per_group_count_each_patient_once_per_group() -> None:
    two_reasons = stay(
        "a",
        ready="2024-11-10",
        discharged_at=at("2024-11-14"),
        delays=(delay("medical", "2024-11-10", "2024-11-12"), delay("transport", "2024-11-12")),
    )
    other = stay(
        "b",
        ready="2024-11-11",
        discharged_at=at("2024-11-12"),
        delays=(delay("medical", "2024-11-11"),),
    )
    result = report(
        [two_reasons, other], NOVEMBER, by=Split.reason, reasons=reasons(), today=LATER, tz=LONDON
    )
    assert {g.key: (g.bed_days, g.patients) for g in result.groups} == {
        "medical": (3, 2),
        "transport": (2, 1),
    }
    assert (result.bed_days, result.patients) == (5, 2)


@given(stays(), periods(), todays)
def test_never_negative_and_never_more_than_the_period_has(
    s: PatientStay, period: Period, today: date
) -> None:
    n = lost_bed_days(s, period, today=today, tz=LONDON)
    assert 0 <= n <= period.days


@given(stays(), periods(), todays, st.data())
def test_splitting_a_period_in_two_adds_up_to_the_whole(
    s: PatientStay, period: Period, today: date, data: st.DataObject
) -> None:
    if period.days < 2:
        return
    cut = period.first + timedelta(days=data.draw(st.integers(0, period.days - 2)))
    first, second = Period(period.first, cut), Period(cut + timedelta(days=1), period.last)
    whole = lost_bed_days(s, period, today=today, tz=LONDON)
    parts = [lost_bed_days(s, p, today=today, tz=LONDON) for p in (first, second)]
    assert sum(parts) == whole


@given(stays(), todays)
def test_a_whole_stay_loses_its_end_day_minus_its_drd(s: PatientStay, today: date) -> None:
    everything = Period(date(2020, 1, 1), date(2030, 1, 1))
    closed = s.closed_on(LONDON)
    end = today if closed is None else min(closed, today)
    expected = max(0, (end - s.discharge_ready_date).days)
    assert lost_bed_days(s, everything, today=today, tz=LONDON) == expected


@given(stays(), periods(), todays)
def test_the_days_are_distinct_inside_the_period_and_each_has_its_delay(
    s: PatientStay, period: Period, today: date
) -> None:
    days = lost_days(s, period, today=today, tz=LONDON)
    dates = [d.day for d in days]
    assert len(dates) == len(set(dates)) == lost_bed_days(s, period, today=today, tz=LONDON)
    assert all(period.first <= d <= period.last and d >= s.discharge_ready_date for d in dates)
    for lost in days:
        chosen = delay_on(s.delays, lost.day)
        assert lost.reason == (chosen.reason if chosen else None)


@given(stays(), periods(), todays, st.randoms(use_true_random=False))
def test_the_order_of_the_delays_changes_nothing(
    s: PatientStay, period: Period, today: date, rnd: random.Random
) -> None:
    shuffled = list(s.delays)
    rnd.shuffle(shuffled)
    again = replace(s, delays=tuple(shuffled))
    assert lost_days(again, period, today=today, tz=LONDON) == lost_days(
        s, period, today=today, tz=LONDON
    )


@given(many_stays(), periods(), todays, st.sampled_from(list(Split)), st.sampled_from(list(Scheme)))
def test_totals_by_any_split_equal_the_total(
    all_stays: list[PatientStay], period: Period, today: date, by: Split, scheme: Scheme
) -> None:
    result = report(
        all_stays, period, by=by, scheme=scheme, reasons=reasons(), today=today, tz=LONDON
    )
    per_stay = [lost_bed_days(s, period, today=today, tz=LONDON) for s in all_stays]
    assert result.bed_days == sum(per_stay) == sum(g.bed_days for g in result.groups)
    assert result.patients == sum(1 for n in per_stay if n > 0)
    assert all(g.bed_days > 0 and 0 < g.patients <= result.patients for g in result.groups)


@given(many_stays(), periods(), todays, st.sampled_from(list(Split)), st.data())
def test_each_group_splits_across_two_periods_too(
    all_stays: list[PatientStay], period: Period, today: date, by: Split, data: st.DataObject
) -> None:
    if period.days < 2:
        return
    cut = period.first + timedelta(days=data.draw(st.integers(0, period.days - 2)))
    halves = [Period(period.first, cut), Period(cut + timedelta(days=1), period.last)]

    def groups(p: Period) -> dict[str, int]:
        found = report(all_stays, p, by=by, reasons=reasons(), today=today, tz=LONDON)
        return {g.key: g.bed_days for g in found.groups}

    first, second = (groups(h) for h in halves)
    combined = {k: first.get(k, 0) + second.get(k, 0) for k in first.keys() | second.keys()}
    assert combined == groups(period)
