"""Board projection: organisation totals are the sums of their units."""

from __future__ import annotations

import json
import random
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.builders.events import beds_updated, care_capacity_updated, dom_care_updated
from wicc_flow.board.projection import BOARD_EVENT_TYPES, BoardProjection
from wicc_shared.events.envelope import Event


def _unit_event(unit_id: str, org: str, open_: int, occupied: int, as_of: str) -> Event:
    return beds_updated(unit_id, org, open_=open_, occupied=occupied, as_of=as_of)


def test_org_totals_equal_the_sum_of_units_over_a_generated_system() -> None:
    rng = random.Random(3)
    projection = BoardProjection()
    expected: dict[str, dict[str, int]] = {}
    for org in ("AAA", "BBB", "CCC"):
        for n in range(rng.randint(1, 8)):
            open_ = rng.randint(1, 40)
            occupied = rng.randint(0, open_)
            projection.apply(
                _unit_event(f"{org}-{n}", org, open_, occupied, f"2026-11-22T0{n}:00:00+00:00")
            )
            totals = expected.setdefault(org, {"open": 0, "occupied": 0, "units": 0})
            totals["open"] += open_
            totals["occupied"] += occupied
            totals["units"] += 1
    view = projection.view()
    for org_view in view["orgs"]:
        want = expected[org_view["org"]]
        assert org_view["open"] == want["open"]
        assert org_view["occupied"] == want["occupied"]
        assert org_view["available"] == want["open"] - want["occupied"]
        assert org_view["escalation_open"] == want["units"]
        assert org_view["closed"] == 2 * want["units"]
        assert org_view["oldest_as_of"] == "2026-11-22T00:00:00Z"


def test_a_newer_report_replaces_the_unit_not_adds_to_it() -> None:
    projection = BoardProjection()
    projection.apply(_unit_event("U1", "AAA", 10, 5, "2026-11-22T08:00:00+00:00"))
    projection.apply(_unit_event("U1", "AAA", 10, 9, "2026-11-22T09:00:00+00:00"))
    (org,) = projection.view()["orgs"]
    assert org["occupied"] == 9
    assert org["occupancy_pct"] == 90.0


def test_every_unit_shows_its_age_and_turns_stale_after_a_day() -> None:
    projection = BoardProjection()
    projection.apply(_unit_event("U1", "AAA", 10, 5, "2026-11-22T08:00:00+00:00"))
    projection.apply(_unit_event("U2", "AAA", 10, 5, "2026-11-21T07:00:00Z"))
    view = projection.view(datetime(2026, 11, 22, 8, 30, tzinfo=UTC))
    units = {u["unit_id"]: u for u in view["units"]}
    assert (units["U1"]["age_seconds"], units["U1"]["stale"]) == (1800.0, False)
    assert units["U2"]["stale"] is True  # 25.5 hours old
    assert view["orgs"][0]["stale_units"] == 1
    assert projection.next_stale_at(datetime(2026, 11, 22, 8, 30, tzinfo=UTC)) == datetime(
        2026, 11, 23, 8, 0, tzinfo=UTC
    )


def test_events_the_board_does_not_show_are_ignored() -> None:
    projection = BoardProjection()
    projection.apply(
        Event(
            type="patient.admitted",
            source="/flow",
            subject="p/1",
            data={"nhs_number": "9434765919"},
        )
    )
    assert projection.view() == {"units": [], "orgs": []}


# -- care capacity -----------------------------------------------------------------------

T0 = datetime(2026, 11, 22, 8, 0, tzinfo=UTC)


def _care_event(
    provider: str,
    service_type: str,
    localities: list[str],
    figures: list[dict[str, Any]],
    *,
    as_of: datetime = T0,
    hours: float = 24.0,
    version: int = 1,
) -> Event:
    return care_capacity_updated(
        provider, service_type, localities, figures, as_of=as_of, hours=hours, version=version
    )


def _dom_care(provider: str, localities: list[str], starts: int, spare: float, **kw: Any) -> Event:
    return dom_care_updated(provider, localities, starts=starts, spare=spare, **{"as_of": T0, **kw})


def _totals(view: dict[str, Any]) -> dict[tuple[Any, ...], dict[str, Any]]:
    return {(t["service_type"], t["category"], t["locality"]): t for t in view["care"]["totals"]}


def test_care_totals_are_the_sums_of_fresh_providers_over_a_generated_system() -> None:
    rng = random.Random(8)
    projection = BoardProjection()
    localities = ["north", "west", "south"]
    expected: dict[tuple[str | None, bool], list[int]] = {}
    for n in range(40):
        served = rng.sample(localities, rng.randint(1, 3))
        starts, age = rng.randint(0, 9), rng.choice([1, 5, 30])  # 30 h: past the 24 h limit
        projection.apply(_dom_care(f"P{n}", served, starts, 1.5, as_of=T0 - timedelta(hours=age)))
        for place in [None, *served]:
            expected.setdefault((place, age > 24), []).append(starts)

    totals = _totals(projection.view(now=T0))
    for place in [None, *localities]:
        t = totals[("dom_care", None, place)]
        fresh, stale = expected.get((place, False), []), expected.get((place, True), [])
        assert t["fresh"]["package_starts_per_day"] == sum(fresh)
        assert t["stale"]["package_starts_per_day"] == sum(stale)
        assert t["fresh"]["spare_hours_per_week"] == 1.5 * len(fresh)
        assert (t["fresh_providers"], t["stale_providers"]) == (len(fresh), len(stale))
        assert t["providers"] == len(fresh) + len(stale)


def test_care_home_categories_add_up_to_the_home_total() -> None:
    projection = BoardProjection()
    rng = random.Random(4)
    for n in range(6):
        figures = [
            {
                "category": name,
                "beds_max": 10,
                "beds_occupied": rng.randint(0, 6),
                "beds_vacant_reserved": 1,
                "beds_vacant_accepting": rng.randint(0, 3),
            }
            for name in rng.sample(["nursing", "residential", "short_stay"], 2)
        ]
        projection.apply(_care_event(f"H{n}", "care_home", ["west"], figures))
    totals = _totals(projection.view(now=T0))
    whole = totals[("care_home", None, "west")]
    parts = [t for (s, c, p), t in totals.items() if s == "care_home" and c and p == "west"]
    for name in ("beds_max", "beds_occupied", "beds_vacant_reserved", "beds_vacant_accepting"):
        assert whole["fresh"][name] == sum(p["fresh"][name] for p in parts)
    assert whole["providers"] == 6


def test_a_care_figure_turns_stale_once_older_than_its_limit() -> None:
    projection = BoardProjection()
    projection.apply(_dom_care("P1", ["north"], 4, 10.0, hours=12))
    at_limit = projection.view(now=T0 + timedelta(hours=12))
    assert at_limit["care"]["providers"][0]["stale"] is False
    later = projection.view(now=T0 + timedelta(hours=12, seconds=1))
    (provider,) = later["care"]["providers"]
    assert provider["stale"] is True and provider["age_seconds"] == 12 * 3600 + 1
    north = _totals(later)[("dom_care", None, "north")]
    assert north["fresh"] == {"package_starts_per_day": 0, "spare_hours_per_week": 0}
    assert north["stale"] == {"package_starts_per_day": 4, "spare_hours_per_week": 10.0}


def test_limits_passed_in_override_those_carried_by_the_events() -> None:
    projection = BoardProjection(care_freshness_hours={"dom_care": 2})
    projection.apply(_dom_care("P1", ["north"], 4, 10.0, hours=12))
    (provider,) = projection.view(now=T0 + timedelta(hours=3))["care"]["providers"]
    assert provider["stale"] is True
    assert provider["freshness_hours"] == 2
    assert datetime.fromisoformat(provider["fresh_until"]) == T0 + timedelta(hours=2)


def test_a_replayed_older_care_event_does_not_undo_a_newer_one() -> None:
    projection = BoardProjection()
    projection.apply(_dom_care("P1", ["north"], 4, 10.0, version=2))
    projection.apply(_dom_care("P1", ["north"], 9, 10.0, version=1, as_of=T0 - timedelta(hours=1)))
    (provider,) = projection.view(now=T0)["care"]["providers"]
    assert provider["figures"][0]["package_starts_per_day"] == 4


def test_care_capacity_survives_a_checkpoint() -> None:
    projection = BoardProjection()
    projection.apply(_dom_care("P1", ["north", "south"], 4, 10.0))
    projection.apply(_unit_event("U1", "AAA", 10, 5, T0.isoformat()))
    restored = BoardProjection(json.loads(json.dumps(projection.state())))
    assert restored.view(now=T0) == projection.view(now=T0)
    assert "care_capacity.updated" in BOARD_EVENT_TYPES
