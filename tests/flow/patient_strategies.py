"""Hypothesis strategies for discharge-ready stays, around the spring clock change (so
local days and UTC days differ for some instants)."""

from __future__ import annotations

from datetime import UTC, date, datetime, time, timedelta

from hypothesis import strategies as st

from tests.builders.patients import LONDON
from wicc_flow.patients.lost_bed_days import Period
from wicc_flow.patients.nhs_number import check_digit
from wicc_flow.patients.records import Delay, Pathway, PatientStay, Responsible

BASE = date(2024, 3, 20)
REASON_CODES = ("p1_care_at_home", "equipment", "transport", "p3_care_home.nursing", "medical")
ORGS = ("RNZ", "RN3", "RD1")
LOCALITIES = ("north", "west", "south")


def days_after(low: int, high: int) -> st.SearchStrategy[date]:
    return st.integers(low, high).map(lambda n: BASE + timedelta(days=n))


@st.composite
def instants_on(draw: st.DrawFn, day: date) -> datetime:
    """Any minute of `day` in London, or of `day` in UTC (which may be another London day)."""
    moment = time(draw(st.integers(0, 23)), draw(st.sampled_from([0, 29, 30, 59])))
    zone = draw(st.sampled_from([LONDON, UTC]))
    return datetime.combine(day, moment, tzinfo=zone)


@st.composite
def delays(draw: st.DrawFn, ready: date) -> Delay:
    start = ready + timedelta(days=draw(st.integers(-5, 20)))
    length = draw(st.one_of(st.none(), st.integers(0, 10)))
    return Delay(
        reason=draw(st.sampled_from(REASON_CODES)),
        responsible=draw(st.sampled_from(list(Responsible))),
        start=start,
        end=None if length is None else start + timedelta(days=length),
    )


@st.composite
def stays(draw: st.DrawFn, id: str = "s") -> PatientStay:
    ready = draw(days_after(0, 40))
    admitted = ready - timedelta(days=draw(st.integers(0, 5)))

    def maybe_end() -> datetime | None:
        offset = draw(st.one_of(st.none(), st.integers(-2, 25)))
        return None if offset is None else draw(instants_on(ready + timedelta(days=offset)))

    return PatientStay(
        id=id,
        org=draw(st.sampled_from(ORGS)),
        unit_id="unit",
        destination_locality=draw(st.sampled_from(LOCALITIES)),
        pathway=draw(st.sampled_from(list(Pathway))),
        admitted_at=datetime.combine(admitted, time(8), tzinfo=LONDON),
        discharge_ready_date=ready,
        discharged_at=maybe_end(),
        withdrawn_at=maybe_end() if draw(st.booleans()) else None,
        delays=tuple(draw(st.lists(delays(ready), max_size=4))),
    )


@st.composite
def many_stays(draw: st.DrawFn, max_size: int = 12) -> list[PatientStay]:
    count = draw(st.integers(0, max_size))
    return [draw(stays(id=f"s{i}")) for i in range(count)]


@st.composite
def periods(draw: st.DrawFn) -> Period:
    first = draw(days_after(-5, 60))
    return Period(first, first + timedelta(days=draw(st.integers(0, 40))))


todays = days_after(0, 90)


@st.composite
def valid_nhs_numbers(draw: st.DrawFn) -> str:
    """Valid NHS numbers: nine random digits and their check digit (never 10, never one
    repeated digit)."""
    first_nine = draw(st.text(alphabet="0123456789", min_size=9, max_size=9))
    digit = check_digit(first_nine)
    if digit is None or len(set(first_nine + str(digit))) == 1:
        return draw(st.nothing())  # never valid: let Hypothesis try other digits
    return first_nine + str(digit)
