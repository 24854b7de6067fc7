"""The board's sitreps section: each organisation's recent returns (on time, late,
missed) and its latest sitrep figure per bed area, as capacity's `area_beds` keeps it."""

from __future__ import annotations

import datetime as dt
import json
from typing import Any

from tests.builders.sitrep_events import DAY, deadline_of, ga_area, sitrep_missed, sitrep_recorded
from wicc_flow.board.projection import BOARD_EVENT_TYPES, BoardProjection

NOW = dt.datetime(2026, 12, 3, 8, 30, tzinfo=dt.UTC)


def _orgs(projection: BoardProjection) -> dict[str, dict[str, Any]]:
    return {entry["org"]: entry for entry in projection.view(NOW).get("sitreps", [])}


def test_sitrep_events_reach_the_board() -> None:
    assert {"sitrep.submitted", "sitrep.amended", "sitrep.missed"} <= BOARD_EVENT_TYPES
    assert "sitrep.missing" in BOARD_EVENT_TYPES  # the old name of missed, still read


def test_a_board_without_sitreps_has_no_sitreps_key() -> None:
    assert "sitreps" not in BoardProjection().view(NOW)


def test_returns_are_on_time_late_or_missed_with_their_times() -> None:
    projection = BoardProjection()
    late_at = deadline_of(DAY) + dt.timedelta(minutes=42)
    projection.apply(sitrep_recorded("RNZ"))
    projection.apply(sitrep_recorded("RN3", submitted_at=late_at))
    projection.apply(sitrep_missed("RVN"))
    orgs = _orgs(projection)
    assert orgs["RNZ"]["status"] == "on_time"
    assert (orgs["RN3"]["status"], orgs["RN3"]["submitted_at"]) == ("late", "2026-12-02T11:42:00Z")
    assert (orgs["RVN"]["status"], orgs["RVN"]["submitted_at"]) == ("missed", None)
    assert orgs["RVN"]["deadline"] == "2026-12-02T11:00:00Z"


def test_a_late_return_after_being_missed_is_late_and_a_missed_event_after_it_changes_nothing() -> (
    None
):
    projection = BoardProjection()
    projection.apply(sitrep_missed("RVN"))
    projection.apply(sitrep_recorded("RVN", submitted_at=deadline_of(DAY) + dt.timedelta(hours=2)))
    projection.apply(sitrep_missed("RVN"))  # replayed from the log
    assert _orgs(projection)["RVN"]["status"] == "late"


def test_the_latest_date_leads_and_recent_dates_are_kept_newest_first() -> None:
    projection = BoardProjection()
    for back in range(20):
        projection.apply(sitrep_recorded("RNZ", DAY - dt.timedelta(days=back)))
    entry = _orgs(projection)["RNZ"]
    assert entry["date"] == DAY.isoformat()
    recent = [day["date"] for day in entry["recent"]]
    assert recent == [(DAY - dt.timedelta(days=back)).isoformat() for back in range(7)]
    section = next(s for s in projection.sections if s.key == "sitreps")
    kept = section.state()["RNZ"]["days"]
    assert len(kept) == 15  # the amendment window and the day itself


def test_an_older_version_replayed_does_not_undo_an_amendment() -> None:
    projection = BoardProjection()
    first = sitrep_recorded("RNZ", beds=[ga_area(core_occupied=140)])
    projection.apply(first)
    projection.apply(
        sitrep_recorded("RNZ", version=2, amended=True, beds=[ga_area(core_occupied=120)])
    )
    projection.apply(first)
    entry = _orgs(projection)["RNZ"]
    assert entry["version"] == 2
    assert entry["areas"][0]["occupied"] == 126


def test_area_figures_follow_the_latest_sitrep_date_and_amendments_drop_areas() -> None:
    projection = BoardProjection()
    both = [ga_area(), {**ga_area(20, 10, 0, 0), "bed_area": "adult_cc"}]
    projection.apply(sitrep_recorded("RNZ", DAY, beds=both))
    # An amendment of an earlier date does not replace a later date's figures.
    projection.apply(
        sitrep_recorded(
            "RNZ", DAY - dt.timedelta(days=1), version=2, amended=True, beds=[ga_area(99, 90, 0, 0)]
        )
    )
    areas = {a["bed_area"]: a for a in _orgs(projection)["RNZ"]["areas"]}
    assert (areas["adult_ga"]["core_open"], areas["adult_ga"]["date"]) == (150, DAY.isoformat())
    # An amendment of the same date that no longer gives critical care drops it.
    projection.apply(sitrep_recorded("RNZ", DAY, version=2, amended=True, beds=[ga_area(160)]))
    areas = {a["bed_area"]: a for a in _orgs(projection)["RNZ"]["areas"]}
    assert set(areas) == {"adult_ga"}
    assert areas["adult_ga"]["core_open"] == 160


def test_the_section_survives_a_checkpoint() -> None:
    projection = BoardProjection()
    projection.apply(sitrep_recorded("RNZ"))
    projection.apply(sitrep_missed("RVN"))
    restored = BoardProjection(json.loads(json.dumps(projection.state())))
    assert restored.view(NOW)["sitreps"] == projection.view(NOW)["sitreps"]
