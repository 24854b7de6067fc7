"""The derived discharge sitrep: who counts on a date, its breakdowns, the comparison
with the capacity sitrep, and the CSV. (The documented worked example runs in
test_patients_doc_examples.py.)"""

from __future__ import annotations

import csv
import io
from datetime import UTC, date, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from tests.builders.patients import LONDON, at, day, delay, reasons, stay
from tests.flow.patient_strategies import days_after, many_stays
from wicc_flow.patients.delay_bands import BANDS
from wicc_flow.patients.delay_reasons import NO_REASON, Scheme
from wicc_flow.patients.discharge_sitrep import (
    CSV_COLUMNS,
    DischargeSitrep,
    Status,
    derive,
    status_on,
    to_csv,
)
from wicc_flow.patients.lost_bed_days import Period, lost_bed_days, lost_days
from wicc_flow.patients.records import PatientStay

D = day("2024-11-12")


def sitrep(stays: list[PatientStay], on: date = D, org: str = "RNZ", **kw: int) -> DischargeSitrep:
    return derive(stays, org=org, day=on, reasons=reasons(), tz=LONDON, **kw)


def test_who_counts_on_a_date() -> None:
    cases = {
        "ready that day": (stay(ready="2024-11-12"), Status.remaining),
        "ready the day after": (stay(ready="2024-11-13"), None),
        "discharged that day": (
            stay(ready="2024-11-01", discharged_at=at("2024-11-12", 23, 59)),
            Status.discharged,
        ),
        "discharged the day before": (
            stay(ready="2024-11-01", discharged_at=at("2024-11-11", 23, 59)),
            None,
        ),
        "discharged the day after": (
            stay(ready="2024-11-01", discharged_at=at("2024-11-13", 0, 0)),
            Status.remaining,
        ),
        "withdrawn that day": (stay(ready="2024-11-01", withdrawn_at=at("2024-11-12", 0, 1)), None),
        "withdrawn the day after": (
            stay(ready="2024-11-01", withdrawn_at=at("2024-11-13", 9)),
            Status.remaining,
        ),
        "withdrawn, then discharged that day": (
            stay(
                ready="2024-11-01",
                withdrawn_at=at("2024-11-12", 9),
                discharged_at=at("2024-11-12", 15),
            ),
            None,
        ),
    }
    found = {name: status_on(s, D, LONDON) for name, (s, _) in cases.items()}
    assert found == {name: expected for name, (_, expected) in cases.items()}


def test_a_discharge_late_in_the_evening_in_summer_counts_on_the_next_day() -> None:
    s = stay(ready="2024-07-01", discharged_at=datetime(2024, 7, 11, 23, 30, tzinfo=UTC))
    assert status_on(s, day("2024-07-11"), LONDON) is Status.remaining
    assert status_on(s, day("2024-07-12"), LONDON) is Status.discharged


def test_other_organisations_are_ignored() -> None:
    result = sitrep([stay(org="RN3", ready="2024-11-01"), stay(org="RNZ", ready="2024-11-01")])
    assert result.nctr_patients == 1


def test_the_reason_is_the_one_open_that_day_under_its_national_code() -> None:
    s = stay(
        ready="2024-11-01",
        delays=(
            delay("medical", "2024-11-01", "2024-11-05"),
            delay("p3_care_home.nursing", "2024-11-08"),
            delay("transport", "2024-11-10"),
        ),
    )
    reasons_found = {r.reason: r.remaining for r in sitrep([s]).by_reason if r.remaining}
    assert reasons_found == {"p3_care_home": 1}


def test_every_national_reason_and_every_pathway_is_listed_even_at_zero() -> None:
    result = sitrep([])
    assert [r.reason for r in result.by_reason] == [
        *(r.code for r in reasons().national),
        NO_REASON,
    ]
    assert [int(p.pathway) for p in result.by_pathway] == [0, 1, 2, 3]
    assert result.capacity_comparison is None


def test_the_comparison_with_the_capacity_sitrep() -> None:
    same = sitrep([stay(ready="2024-11-01")], capacity_nctr_patients=1).capacity_comparison
    assert same is not None and (same.derived, same.reported, same.difference, same.differs) == (
        1,
        1,
        0,
        False,
    )
    other = sitrep([stay(ready="2024-11-01")], capacity_nctr_patients=4).capacity_comparison
    assert other is not None and (other.difference, other.differs) == (-3, True)


def test_the_csv_has_the_documented_columns_and_one_row_per_figure() -> None:
    result = sitrep([stay(ready="2024-11-01")], capacity_nctr_patients=2)
    rows = list(csv.reader(io.StringIO(to_csv(result))))
    assert tuple(rows[0]) == CSV_COLUMNS
    body = rows[1:]
    pathways, reason_rows, band_rows, comparison = (
        4 * 3,
        len(result.by_reason),
        2 * 2 * len(BANDS),
        2,
    )
    assert len(body) == 3 + pathways + reason_rows + band_rows + comparison
    assert all(r[0] == "RNZ" and r[1] == "2024-11-12" for r in body)
    assert ["RNZ", "2024-11-12", "remaining", "delay_band", "7-13 days", "1"] in body
    assert ["RNZ", "2024-11-12", "remaining_bed_days", "delay_band", "7-13 days", "11"] in body
    assert to_csv(sitrep([])).count("capacity_sitrep") == 0


@given(many_stays(), days_after(-3, 70))
def test_counted_is_discharged_plus_remaining_on_every_breakdown(
    stays: list[PatientStay], on: date
) -> None:
    for org in ("RNZ", "RN3"):
        result = sitrep(stays, on, org)
        assert result.nctr_patients == result.discharged + result.remaining
        assert result.nctr_patients == sum(p.nctr_patients for p in result.by_pathway)
        assert result.discharged == sum(p.discharged for p in result.by_pathway)
        assert all(p.nctr_patients == p.discharged + p.remaining for p in result.by_pathway)
        assert result.remaining == sum(r.remaining for r in result.by_reason)
        assert result.remaining == sum(t.patients for t in result.remaining_bands)
        assert result.discharged == sum(t.patients for t in result.discharged_bands)


@given(many_stays(), days_after(-3, 70))
def test_remaining_patients_are_exactly_those_losing_the_day_under_the_same_reason(
    stays: list[PatientStay], on: date
) -> None:
    """The sitrep and lost bed days apply one rule: a patient remaining on D loses D,
    and the sitrep's reason is the reason D is attributed to."""
    only_d, after_d = Period(on, on), on + timedelta(days=1)
    for org in ("RNZ", "RD1"):
        mine = [s for s in stays if s.org == org]
        losing = [s for s in mine if lost_bed_days(s, only_d, today=after_d, tz=LONDON) == 1]
        result = sitrep(stays, on, org)
        assert result.remaining == len(losing)
        reasons_of_days = [lost_days(s, only_d, today=after_d, tz=LONDON)[0].reason for s in losing]
        keys = [reasons().group_key(code, Scheme.nctr) for code in reasons_of_days]
        assert {r.reason: r.remaining for r in result.by_reason if r.remaining} == {
            k: keys.count(k) for k in set(keys)
        }


@given(many_stays(), days_after(0, 70))
def test_bed_days_of_the_remaining_are_their_lost_days_so_far(
    stays: list[PatientStay], on: date
) -> None:
    result = sitrep(stays, on)
    remaining = [
        s for s in stays if s.org == "RNZ" and status_on(s, on, LONDON) is Status.remaining
    ]
    since_ever = Period(date(2020, 1, 1), on)
    expected = sum(lost_bed_days(s, since_ever, today=on, tz=LONDON) for s in remaining)
    assert sum(t.bed_days for t in result.remaining_bands) == expected


@given(st.integers(0, 12), st.integers(0, 12))
def test_differs_exactly_when_the_figures_differ(derived: int, reported: int) -> None:
    stays = [stay(f"s{i}", ready="2024-11-01") for i in range(derived)]
    comparison = sitrep(stays, capacity_nctr_patients=reported).capacity_comparison
    assert comparison is not None
    assert comparison.differs == (derived != reported)
    assert comparison.difference == derived - reported
