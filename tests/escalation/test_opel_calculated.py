"""Calculated OPEL from live events, against real PostgreSQL and Redis: a sitrep in,
a score and level out with every parameter's points and source."""

from __future__ import annotations

import datetime as dt

from tests.builders.opel import WORKED_POINTS, opel_sitrep
from tests.escalation.opel_api import by_key, get_json, org_calculations, submit_sitrep, until
from tests.escalation.opel_support import acute
from tests.support import Wicc, events_of, set_clock
from wicc_escalation.opel.scoring import InputValue, score_trust

MORNING = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
SNAPSHOT = "2026-11-23T08:00:00Z"  # 08:00 London time is 08:00 UTC in November


async def test_a_sitrep_in_gives_a_score_and_level_with_every_parameters_points(
    wicc: Wicc,
) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep("RNZ"))

    opel = await until(wicc, "/escalation/v1/orgs/RNZ/opel", lambda o: o["level"] is not None)
    assert (opel["level"], opel["raw_level"], opel["score"], opel["max_score"]) == (3, 3, 14, 27)
    assert opel["normalised"] == 51.9
    assert (opel["partial"], opel["firm"], opel["missing"], opel["stale"]) == (
        False,
        True,
        [],
        [],
    )
    assert opel["framework"] == "opel-2024-26-acute-local-v1"
    assert opel["config_status"] == "local_unconfirmed"
    parameters = by_key(opel)
    assert {key: p["points"] for key, p in parameters.items()} == WORKED_POINTS
    submitted = await events_of(wicc, "sitrep.submitted", 1)
    for p in parameters.values():
        assert p["status"] == "ok"
        assert p["as_of"] == SNAPSHOT
        assert p["source"] == {"event_id": str(submitted[0].id), "event_type": "sitrep.submitted"}
        assert (
            p["age_seconds"]
            == (MORNING - dt.datetime(2026, 11, 23, 8, tzinfo=dt.UTC)).total_seconds()
        )
    assert parameters["adult_ga_occupancy_pct"]["value"] == 96.2
    assert parameters["escalation_beds_pct_of_open"]["value"] == 3.1
    assert parameters["nctr_pct_of_occupied"]["value"] == 17.5


async def test_the_wired_score_is_the_pure_cores_score_of_the_same_inputs(wicc: Wicc) -> None:
    """The live calculation uses `score_trust` itself: the pure core's properties
    (monotonic, contiguous bands) hold for what the API shows."""
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep("RN3", ed={"four_hour_performance_pct": 58.0}))
    opel = await until(wicc, "/escalation/v1/orgs/RN3/opel", lambda o: o["level"] is not None)
    inputs = {
        p["key"]: InputValue(p["value"], dt.datetime.fromisoformat(p["as_of"]), None, "x")
        for p in opel["parameters"]
    }
    expected = score_trust(acute(), inputs, MORNING)
    assert (opel["score"], opel["raw_level"]) == (expected.score, expected.level)
    assert [p["points"] for p in opel["parameters"]] == [p.points for p in expected.parameters]


async def test_the_calculation_is_announced_for_the_trust_and_its_system(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep("RNZ"))
    [calculated] = await org_calculations(wicc, "RNZ", 1)
    assert (calculated["about"], calculated["level"], calculated["score"]) == (
        "organisation",
        3,
        14,
    )
    assert {p["key"]: p["points"] for p in calculated["parameters"]} == WORKED_POINTS
    system = await until(
        wicc, "/escalation/v1/systems/wiltshire/opel", lambda s: s["level"] is not None
    )
    # Only RNZ has inputs: the acute pillar is RNZ's 51.9, the other pillars are named
    # as having no data, and the system is partial.
    assert (system["score"], system["level"], system["partial"]) == (51.9, 3, True)
    acute_pillar = next(p for p in system["pillars"] if p["pillar"] == "acute")
    members = {m["org"]: m for m in acute_pillar["members"]}
    assert members["RNZ"]["score"] == 51.9 and members["RNZ"]["weight"] == 148.0
    assert members["RN3"]["excluded"] == "no_data"
    level_changes = await events_of(wicc, "opel.level_changed", 2)
    assert {(e.data["about"], e.data["level"]) for e in level_changes} == {
        ("organisation", 3),
        ("system", 3),
    }


async def test_history_keeps_every_calculation_that_changed_something(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep("RNZ"))
    await until(wicc, "/escalation/v1/orgs/RNZ/opel", lambda o: o["score"] == 14)
    later = MORNING + dt.timedelta(minutes=10)
    set_clock(wicc, later)
    response = await wicc.put_beds(
        "RNZ-AMU", core_open=36, escalation_open=0, occupied=30, closed=[], as_of=later
    )
    assert response.status_code == 200, response.text
    await until(wicc, "/escalation/v1/orgs/RNZ/opel", lambda o: o["score"] != 14)

    history = await get_json(wicc, "/escalation/v1/orgs/RNZ/opel/history")
    assert [e["computed_at"] for e in history["items"]] == [
        "2026-11-23T09:40:00Z",
        "2026-11-23T09:30:00Z",
    ]
    assert history["items"][1]["score"] == 14
    first = {p["key"]: p["points"] for p in history["items"][1]["parameters"]}
    assert first == WORKED_POINTS
    window = await get_json(
        wicc, "/escalation/v1/orgs/RNZ/opel/history?from=2026-11-23T09:35:00Z&limit=1"
    )
    assert (window["total"], window["items"][0]["computed_at"]) == (1, "2026-11-23T09:40:00Z")
    system = await get_json(wicc, "/escalation/v1/systems/wiltshire/opel/history")
    assert system["total"] >= 1
    assert all(e["parameters"] == [] for e in system["items"])
