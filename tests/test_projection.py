"""Board projection: organisation totals are the sums of their units."""

from __future__ import annotations

import random

from wicc_flow.board.projection import BoardProjection
from wicc_shared.events.envelope import Event


def _unit_event(unit_id: str, org: str, open_: int, occupied: int, as_of: str) -> Event:
    data = {
        "unit_id": unit_id,
        "org": org,
        "open": open_,
        "escalation_open": 1,
        "occupied": occupied,
        "available": open_ - occupied,
        "closed_total": 2,
        "as_of": as_of,
    }
    return Event(type="beds.updated", source="/capacity", subject=f"units/{unit_id}", data=data)


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
        assert org_view["oldest_as_of"] == "2026-11-22T00:00:00+00:00"


def test_a_newer_report_replaces_the_unit_not_adds_to_it() -> None:
    projection = BoardProjection()
    projection.apply(_unit_event("U1", "AAA", 10, 5, "2026-11-22T08:00:00+00:00"))
    projection.apply(_unit_event("U1", "AAA", 10, 9, "2026-11-22T09:00:00+00:00"))
    (org,) = projection.view()["orgs"]
    assert org["occupied"] == 9
    assert org["occupancy_pct"] == 90.0


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
