"""Levels that do not lie and do not flap, in the running system: an input past its
stale limit turns the score partial with no new event needed; a level near a boundary
is held back until it has held for the configured time; a large jump is not."""

from __future__ import annotations

import datetime as dt

from tests.builders.opel import opel_sitrep
from tests.escalation.opel_api import (
    Json,
    by_key,
    escalation,
    get_json,
    org_calculations,
    run_job,
    submit_sitrep,
    until,
)
from tests.support import Wicc, events_of, set_clock

UTC = dt.UTC
MORNING = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
RNZ = "/escalation/v1/orgs/RNZ/opel"
# ED figures worth 6 points (OPEL 1, one point below OPEL 2).
ED_SIX = {
    "mean_ambulance_handover_minutes": 42,  # 2
    "four_hour_performance_pct": 71.5,  # 1
    "ed_majors_resus_occupancy_pct": 104,  # 2
    "median_time_to_treatment_minutes": 95,  # 1
    "ed_over_12h_pct": 1,
    "ed_referred_to_specialty_pct": 10,
}
AMU = {"core_open": 36, "core_occupied": 30, "escalation_open": 0, "escalation_occupied": 0}


async def test_a_stale_input_marks_the_score_partial_without_a_new_event(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep())
    await until(wicc, RNZ, lambda o: o["score"] == 14)
    # The sitrep's beds describe 08:00 and count for 24 h; its ED figures for 27 h.
    set_clock(wicc, dt.datetime(2026, 11, 24, 8, 30, tzinfo=UTC))
    await run_job(wicc, escalation(wicc).opel_timers)

    opel = await get_json(wicc, RNZ)
    assert opel["stale"] == ["adult_ga_occupancy_pct", "escalation_beds_pct_of_open"]
    assert (opel["partial"], opel["firm"]) == (True, False)
    # The 3 points they earned are gone from the floor; up to 6 could come back.
    assert (opel["score"], opel["score_range"]) == (11, [11, 17])
    assert (opel["raw_level"], opel["level_range"]) == (2, [2, 3])
    assert by_key(opel)["adult_ga_occupancy_pct"]["points"] is None
    latest = (await org_calculations(wicc, "RNZ", 2))[-1]
    assert latest["stale"] == opel["stale"] and latest["partial"] is True


async def test_every_input_stale_means_no_level_not_opel_1(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep())
    await until(wicc, RNZ, lambda o: o["level"] == 3)
    set_clock(wicc, dt.datetime(2026, 11, 24, 11, 5, tzinfo=UTC))
    await run_job(wicc, escalation(wicc).opel_timers)
    opel = await get_json(wicc, RNZ)
    assert (opel["level"], opel["raw_level"], opel["level_range"]) == (None, None, None)
    assert len(opel["stale"]) == 9


async def _beds(wicc: Wicc, occupied: int, at: dt.datetime, escalation_open: int = 0) -> Json:
    set_clock(wicc, at)
    response = await wicc.put_beds(
        "RNZ-AMU",
        core_open=36,
        escalation_open=escalation_open,
        occupied=occupied,
        closed=[],
        as_of=at,
    )
    assert response.status_code == 200, response.text
    stamp = at.isoformat().replace("+00:00", "Z")
    return await until(wicc, RNZ, lambda o: by_key(o)["adult_ga_occupancy_pct"]["as_of"] == stamp)


async def test_a_level_flapping_at_a_boundary_is_held_until_it_has_held(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep(ed=ED_SIX, ga=AMU, nctr=2))
    assert (await until(wicc, RNZ, lambda o: o["level"] is not None))["level"] == 1

    at = MORNING.replace(minute=5)
    opel = await _beds(wicc, 34, at)  # 94.4 %: one point, 7 in all, raw OPEL 2
    assert (opel["raw_level"], opel["level"], opel["pending_level"]) == (2, 1, 2)
    assert opel["pending_since"] == "2026-11-23T09:05:00Z"
    opel = await _beds(wicc, 30, MORNING.replace(minute=10))  # back to 6: no longer pending
    assert (opel["raw_level"], opel["level"], opel["pending_level"]) == (1, 1, None)
    opel = await _beds(wicc, 34, MORNING.replace(minute=15))
    assert (opel["level"], opel["pending_since"]) == (1, "2026-11-23T09:15:00Z")

    # 25 minutes held: not yet. 30 minutes: settled, with no new input.
    set_clock(wicc, MORNING.replace(minute=40))
    await run_job(wicc, escalation(wicc).opel_timers)
    assert (await get_json(wicc, RNZ))["level"] == 1
    set_clock(wicc, MORNING.replace(minute=46))
    await run_job(wicc, escalation(wicc).opel_timers)
    opel = await get_json(wicc, RNZ)
    assert (opel["level"], opel["settled_since"], opel["pending_level"]) == (
        2,
        "2026-11-23T09:45:00Z",
        None,
    )
    changes = [e.data for e in await events_of(wicc, "opel.level_changed", 1)]
    assert [(c["previous_level"], c["level"]) for c in changes if c["org"] == "RNZ"] == [
        (None, 1),
        (1, 2),
    ]
    history = await get_json(wicc, f"{RNZ}/history")
    raw_then_settled = [(e["raw_level"], e["level"]) for e in reversed(history["items"])]
    assert raw_then_settled == [(1, 1), (2, 1), (1, 1), (2, 1), (2, 2)]


async def test_a_large_jump_is_not_held_back(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep(ed=ED_SIX, ga=AMU, nctr=2))
    await until(wicc, RNZ, lambda o: o["level"] == 1)
    # 100 % occupied with 4 escalation beds (10 % of open): 6 more points, total 12,
    # 5 past the boundary at 7 (the margin is 10 of 100, 2.7 of the 27 points).
    opel = await _beds(wicc, 40, MORNING.replace(minute=5), escalation_open=4)
    assert (opel["score"], opel["raw_level"], opel["level"], opel["pending_level"]) == (
        12,
        2,
        2,
        None,
    )
