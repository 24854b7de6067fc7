"""A sitrep's figures: validation of each field, the London day, and the live area
figures a sitrep updates."""

from __future__ import annotations

import copy
import datetime as dt
from typing import Any

import pytest

from tests.builders.sitreps import TODAY, amendment, sitrep_body
from tests.capacity.sitrep_api import post_sitrep, put_sitrep
from tests.support import Wicc, count, fetch, field_names, set_clock

UTC = dt.UTC


# --- validation ---------------------------------------------------------------------


def _area(i: int, **changes: Any) -> dict[str, Any]:
    beds: list[dict[str, Any]] = copy.deepcopy(sitrep_body()["beds"])
    beds[i].update(changes)
    return {"beds": beds}


def _ed(**changes: Any) -> dict[str, Any]:
    return {"ed": sitrep_body()["ed"] | changes}


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        (_area(0, core_occupied=151), {"beds.0.core_occupied"}),
        (_area(1, escalation_occupied=1), {"beds.1.escalation_occupied"}),
        (_area(0, core_open=-1), {"beds.0.core_open"}),
        (_area(0, bed_area="maternity"), {"beds.0.bed_area"}),
        (_area(1, bed_area="adult_ga"), {"beds.1.bed_area"}),
        ({"los_21_plus": 31}, {"los_21_plus"}),
        ({"los_14_plus": 61}, {"los_14_plus"}),
        ({"los_7_plus": 157, "los_14_plus": 30}, {"los_7_plus"}),
        ({"nctr_patients": 157}, {"nctr_patients"}),
        ({"nctr_patients": -1}, {"nctr_patients"}),
        ({"beds_closed_dv": -2}, {"beds_closed_dv"}),
        ({"los_7_plus": "sixty"}, {"los_7_plus"}),
        (_ed(four_hour_performance_pct=100.5), {"ed.four_hour_performance_pct"}),
        (_ed(ed_over_12h_pct=-0.1), {"ed.ed_over_12h_pct"}),
        (_ed(ed_referred_to_specialty_pct=101), {"ed.ed_referred_to_specialty_pct"}),
        (_ed(mean_ambulance_handover_minutes=-5), {"ed.mean_ambulance_handover_minutes"}),
        ({"date": "2026-11-24"}, {"date"}),
        ({"date": "2026-11-08"}, {"date"}),
        ({"org": "NOWHERE"}, {"org"}),
        ({"beds": []}, {"beds"}),
        ({"bed_count": 3}, {"bed_count"}),
        (
            {
                **_area(0, core_occupied=200),
                "los_14_plus": 61,
                "los_21_plus": 62,
                "date": "2027-01-01",
            },
            {"beds.0.core_occupied", "los_21_plus", "los_14_plus", "date"},
        ),
    ],
)
async def test_bad_values_are_422_naming_each_field(
    morning: Wicc, overrides: dict[str, Any], fields: set[str]
) -> None:
    response = await post_sitrep(morning, sitrep_body(**overrides))
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:wicc:problem:validation-error"
    assert field_names(response) == fields
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 0


async def test_ed_occupancy_may_exceed_100_and_ed_may_be_absent(morning: Wicc) -> None:
    crowded = await post_sitrep(morning, sitrep_body(**_ed(ed_majors_resus_occupancy_pct=130)))
    assert crowded.status_code == 201, crowded.text
    community = sitrep_body("WHC", ed=None)
    community["beds"] = [{"bed_area": "community", "core_open": 66, "core_occupied": 60}]
    community.update(los_7_plus=40, los_14_plus=25, los_21_plus=15, nctr_patients=20)
    response = await post_sitrep(morning, community)
    assert response.status_code == 201, response.text
    assert response.json()["figures"]["ed"] is None
    assert response.json()["figures"]["beds"][0]["escalation_open"] == 0


async def test_an_amendment_needs_a_reason_and_valid_figures(morning: Wicc) -> None:
    await post_sitrep(morning, sitrep_body())
    no_reason = amendment()
    del no_reason["reason"]
    assert field_names(await put_sitrep(morning, "RNZ", TODAY, no_reason)) == {"reason"}
    empty = await put_sitrep(morning, "RNZ", TODAY, amendment(reason="   "))
    assert field_names(empty) == {"reason"}
    bad = await put_sitrep(morning, "RNZ", TODAY, amendment(los_21_plus=31))
    assert bad.status_code == 422 and field_names(bad) == {"los_21_plus"}


async def test_the_sitrep_date_is_a_london_day(wicc: Wicc) -> None:
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST).
    set_clock(wicc, dt.datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    london_today = await post_sitrep(wicc, sitrep_body(date=dt.date(2026, 7, 2)))
    assert london_today.status_code == 201, london_today.text
    # Its figures describe 08:00 BST, which is 07:00 UTC.
    rows = await fetch(wicc, "SELECT as_of FROM capacity.area_beds WHERE org_ods = 'RNZ'")
    assert {r["as_of"] for r in rows} == {dt.datetime(2026, 7, 2, 7, 0, tzinfo=UTC)}
    tomorrow = await post_sitrep(wicc, sitrep_body("RN3", date=dt.date(2026, 7, 3)))
    assert field_names(tomorrow) == {"date"}


# --- live area figures --------------------------------------------------------------


async def _area_beds(wicc: Wicc) -> dict[str, tuple[int, int, dt.datetime]]:
    rows = await fetch(
        wicc,
        "SELECT bed_area, core_open, occupied, as_of FROM capacity.area_beds WHERE org_ods = 'RNZ'",
    )
    return {r["bed_area"]: (r["core_open"], r["occupied"], r["as_of"]) for r in rows}


async def test_area_beds_are_updated_only_by_newer_figures(morning: Wicc) -> None:
    wicc = morning
    yesterday, day_before = TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=2)
    eight = dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    await post_sitrep(wicc, sitrep_body(date=yesterday, **_area(0, core_open=149)))
    assert (await _area_beds(wicc))["adult_ga"] == (149, 146, eight - dt.timedelta(days=1))

    await post_sitrep(wicc, sitrep_body(date=TODAY))
    assert await _area_beds(wicc) == {"adult_ga": (150, 146, eight), "adult_cc": (12, 10, eight)}

    # Older figures, first submitted or amended, do not replace newer ones.
    await post_sitrep(wicc, sitrep_body(date=day_before, **_area(0, core_open=140)))
    older = await put_sitrep(wicc, "RNZ", yesterday, amendment(**_area(0, core_open=148)))
    assert older.status_code == 200
    assert (await _area_beds(wicc))["adult_ga"] == (150, 146, eight)

    # An amendment of the newest day's sitrep does, and drops an area it no longer reports.
    beds = [sitrep_body()["beds"][0] | {"core_open": 155}]
    amended = await put_sitrep(wicc, "RNZ", TODAY, amendment(beds=beds, nctr_patients=20))
    assert amended.status_code == 200, amended.text
    assert await _area_beds(wicc) == {"adult_ga": (155, 146, eight)}
