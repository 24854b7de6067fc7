"""The rules that turn the board's picture into the summary's figures (pure): beds as
the roll-ups count them, care capacity as the care totals count it, sitrep returns as
the status endpoint says, and short names."""

from __future__ import annotations

import datetime as dt

import pytest

from tests.builders.events import beds_updated, care_capacity_updated, dom_care_updated
from tests.builders.sitrep_events import ga_area, sitrep_recorded
from tests.builders.summary_inputs import NOW, board, org, reference, system_ref
from wicc_flow.summaries.bed_position import bed_figures, org_count, sum_counts
from wicc_flow.summaries.care_capacity import care_section, type_capacity
from wicc_flow.summaries.codes import Pathway
from wicc_flow.summaries.document import SitrepStatus
from wicc_flow.summaries.short_names import short_name
from wicc_flow.summaries.sitrep_returns import sitrep_section

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


def test_an_organisation_counts_its_reporting_ga_units_only() -> None:
    trust = org("RNZ", ga_units=["U1", "U2", "U3"])
    seen = board(
        beds_updated("U1", "RNZ", open_=20, occupied=19, escalation_open=2, as_of=NOW - HOUR),
        beds_updated("U2", "RNZ", open_=10, occupied=9, escalation_open=0, as_of=NOW - 3 * HOUR),
        beds_updated("ICU", "RNZ", open_=8, occupied=8, bed_area="adult_cc", as_of=NOW),
    )
    count = org_count(trust, {u.unit_id: u for u in seen.units}, None, system_ref())
    assert count is not None
    assert (count.core_open, count.escalation_open, count.occupied) == (28, 2, 28)
    assert count.oldest == NOW - 3 * HOUR  # U3 never reported: counted as nothing


def test_without_a_reporting_unit_the_latest_sitrep_gives_the_beds() -> None:
    trust = org("RD1", ga_units=["RD1-AMU"])
    seen = board(sitrep_recorded("RD1", beds=[ga_area(160, 150, 4, 4)]))
    count = org_count(trust, {}, seen.sitreps[0], system_ref())
    assert count is not None
    assert (count.core_open, count.escalation_open, count.occupied) == (160, 4, 154)
    assert count.closed_infection == 0  # a sitrep gives no closures by reason
    assert count.oldest == dt.datetime(2026, 12, 2, 8, 0, tzinfo=UTC)  # 08:00 on its date
    # Once a unit reports, the sitrep no longer counts (never both).
    unit = board(beds_updated("RD1-AMU", "RD1", open_=40, occupied=30, as_of=NOW))
    counted = org_count(trust, {u.unit_id: u for u in unit.units}, seen.sitreps[0], system_ref())
    assert counted is not None and counted.occupied == 30


def test_nothing_reported_is_no_figure_not_zero_beds() -> None:
    assert org_count(org("RVN", ga_units=["X"]), {}, None, system_ref()) is None
    assert sum_counts([None, None]) is None


def test_occupancy_core_and_infection_closures() -> None:
    infection = [{"reason": "infection_control", "count": 3}, {"reason": "staffing", "count": 1}]
    seen = board(
        beds_updated(
            "U1", "RNZ", open_=40, occupied=38, escalation_open=4, closed=infection, closed_total=4
        )
    )
    count = org_count(
        org("RNZ", ga_units=["U1"]), {u.unit_id: u for u in seen.units}, None, system_ref()
    )
    assert count is not None
    today = bed_figures(count, "src", NOW)
    assert today is not None
    values = [
        f.value
        for f in (
            today.occupancy,
            today.occupancy_core,
            today.escalation_open,
            today.closed_infection,
        )
    ]
    assert values == [95.0, 105.6, 4, 3]  # 38/40, 38/36, escalation open, infection only


def test_a_figure_turns_stale_after_24_hours_not_at_24_hours() -> None:
    for age, stale in ((dt.timedelta(hours=24), False), (dt.timedelta(hours=24, seconds=1), True)):
        seen = board(beds_updated("U1", "RNZ", as_of=NOW - age))
        count = org_count(
            org("RNZ", ga_units=["U1"]), {u.unit_id: u for u in seen.units}, None, system_ref()
        )
        assert count is not None
        today = bed_figures(count, "src", NOW)
        assert today is not None and today.occupancy.stale is stale


def test_no_open_bed_is_no_occupancy() -> None:
    seen = board(beds_updated("U1", "RNZ", open_=0, occupied=0, escalation_open=0, closed_total=0))
    count = org_count(
        org("RNZ", ga_units=["U1"]), {u.unit_id: u for u in seen.units}, None, system_ref()
    )
    assert count is not None and bed_figures(count, "src", NOW) is None


def test_care_capacity_counts_fresh_places_and_flags_stale_ones() -> None:
    seen = board(
        dom_care_updated("A", ["north"], starts=3, spare=10, as_of=NOW - HOUR),
        dom_care_updated("B", ["north", "south"], starts=5, spare=10, as_of=NOW - 13 * HOUR),
        care_capacity_updated(
            "R",
            "reablement",
            ["north"],
            [{"category": None, "package_starts_per_day": 2}],
            as_of=NOW - HOUR,
        ),
    )
    north = type_capacity(seen.care, "north", "dom_care")
    assert north is not None
    assert (north.value, north.stale, north.as_of) == (3, True, NOW - HOUR)  # B is stale
    south = type_capacity(seen.care, "south", "dom_care")
    assert south is not None and (south.value, south.stale) == (0, True)  # only B: 0 fresh
    section = care_section(seen.care, [("north", "North"), ("south", "South")])
    assert section is not None
    rows = {(r.locality, r.pathway): r for r in section.rows}
    p1 = rows[("north", Pathway.p1)].capacity
    assert p1 is not None and p1.value == 5 and p1.derived  # dom care + reablement
    assert rows[("north", Pathway.p2)].capacity is None  # no provider: none counted
    assert care_section([], [("north", "North")]) is None  # no provider ever reported


def test_care_homes_count_vacant_accepting_beds_of_every_category() -> None:
    rows = [
        {
            "category": "nursing",
            "beds_max": 30,
            "beds_occupied": 27,
            "beds_vacant_reserved": 1,
            "beds_vacant_accepting": 2,
        },
        {
            "category": "residential",
            "beds_max": 10,
            "beds_occupied": 9,
            "beds_vacant_reserved": 0,
            "beds_vacant_accepting": 1,
        },
    ]
    seen = board(care_capacity_updated("H", "care_home", ["north"], rows, as_of=NOW - HOUR))
    found = type_capacity(seen.care, "north", "care_home")
    assert found is not None and found.value == 3


@pytest.mark.parametrize(
    ("submitted", "now", "status"),
    [
        (dt.datetime(2026, 12, 2, 11, 0, tzinfo=UTC), NOW, SitrepStatus.on_time),  # at the deadline
        (dt.datetime(2026, 12, 2, 11, 0, 1, tzinfo=UTC), NOW, SitrepStatus.late),
        (None, NOW, SitrepStatus.missing),
        (None, dt.datetime(2026, 12, 2, 11, 0, tzinfo=UTC), SitrepStatus.not_yet_due),
    ],
)
def test_sitrep_return_status(
    submitted: dt.datetime | None, now: dt.datetime, status: SitrepStatus
) -> None:
    events = [sitrep_recorded("RNZ", submitted_at=submitted)] if submitted else []
    section = sitrep_section(
        reference(org("RNZ")), board(*events).sitreps, dt.date(2026, 12, 2), now
    )
    (only,) = section.returns
    assert (only.status, only.submitted_at) == (status, submitted)


def test_sitrep_returns_list_who_must_return_and_whoever_did() -> None:
    ref = reference(
        org("RNZ"),
        org("LA", kind="local_authority", holds_units=False),
        org("CP", holds_units=False),
    )
    seen = board(sitrep_recorded("CP"))
    section = sitrep_section(ref, seen.sitreps, dt.date(2026, 12, 2), NOW)
    assert {r.org for r in section.returns} == {"RNZ", "CP"}
    assert section.source == "capacity:/capacity/v1/sitreps/status?system=wiltshire&date=2026-12-02"


@pytest.mark.parametrize(
    ("name", "short"),
    [
        ("Salisbury NHS Foundation Trust", "Salisbury"),
        ("Great Western Hospitals NHS Foundation Trust", "Great Western"),
        ("Royal United Hospitals Bath NHS Foundation Trust", "Royal United Bath"),
        ("Wiltshire Council (adult social care)", "Wiltshire Council"),
        ("Avon and Wiltshire Mental Health Partnership NHS Trust", "AWMH"),
        ("NHS Trust", "NHS Trust"),
    ],
)
def test_short_names(name: str, short: str) -> None:
    assert short_name(name) == short
