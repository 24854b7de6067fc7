"""The pure rules between events and scoring: which figures an event brings, which
source wins, how a share is made and how current it is; and one calculation step."""

from __future__ import annotations

import datetime as dt
import uuid
from dataclasses import dataclass

from hypothesis import given
from hypothesis import strategies as st

from tests.builders.opel import opel_sitrep
from tests.escalation.opel_support import NOW, acute, system_config
from wicc_escalation.inputs.derive import Beds, Fact, acute_inputs, live_beds
from wicc_escalation.inputs.facts import (
    DISCHARGE_SITREP,
    GA_ESCALATION_OPEN,
    GA_OCCUPIED,
    GA_OPEN,
    NCTR_PATIENTS,
    SITREP,
    sitrep_facts,
)
from wicc_escalation.opel.calculation import Kept, Timing, next_stale_at, step
from wicc_escalation.opel.damping import trust_damping
from wicc_escalation.opel.scoring import InputValue, score_trust
from wicc_shared.catalogue.sitreps import SitrepRecorded
from wicc_shared.events.envelope import Event

UTC = dt.UTC
HOUR = dt.timedelta(hours=1)


@dataclass(frozen=True)
class Unit:
    open: int
    occupied: int
    escalation_open: int
    as_of: dt.datetime
    event_id: uuid.UUID | None


def sitrep_ga(
    open_: int, occupied: int, escalation: int, as_of: dt.datetime
) -> dict[tuple[str, str], Fact]:
    return {
        (name, SITREP): Fact(value, as_of, "sitrep-event", "sitrep.submitted")
        for name, value in (
            (GA_OPEN, open_),
            (GA_OCCUPIED, occupied),
            (GA_ESCALATION_OPEN, escalation),
        )
    }


def test_live_beds_add_up_as_of_the_oldest_unit_from_the_newest_event() -> None:
    newest = uuid.uuid4()
    units = [
        Unit(30, 28, 2, NOW - 2 * HOUR, uuid.uuid4()),
        Unit(20, 19, 0, NOW - HOUR, newest),
    ]
    beds = live_beds(units)
    assert beds == Beds(50, 47, 2, NOW - 2 * HOUR, str(newest), "beds.updated")
    assert live_beds([]) is None


def test_the_fresher_beds_win_and_live_wins_a_tie() -> None:
    sitrep = sitrep_ga(100, 90, 0, NOW - HOUR)
    older_live = Beds(100, 99, 0, NOW - 2 * HOUR, "live", "beds.updated")
    assert acute_inputs(sitrep, older_live)["adult_ga_occupancy_pct"].value == 90.0
    tied_live = Beds(100, 99, 0, NOW - HOUR, "live", "beds.updated")
    chosen = acute_inputs(sitrep, tied_live)["adult_ga_occupancy_pct"]
    assert (chosen.value, chosen.source_event_id) == (99.0, "live")


def test_no_open_beds_is_no_input_not_zero() -> None:
    inputs = acute_inputs(sitrep_ga(0, 0, 0, NOW), None)
    assert "adult_ga_occupancy_pct" not in inputs
    assert "escalation_beds_pct_of_open" not in inputs


times = st.integers(0, 48).map(lambda h: NOW - dt.timedelta(hours=h))


@given(
    beds_at=times,
    sitrep_count_at=times,
    flow_count_at=times,
    occupied=st.integers(1, 500),
    counts=st.tuples(st.integers(0, 500), st.integers(0, 500)),
)
def test_an_nctr_share_is_as_current_as_its_older_figure_from_the_fresher_count(
    beds_at: dt.datetime,
    sitrep_count_at: dt.datetime,
    flow_count_at: dt.datetime,
    occupied: int,
    counts: tuple[int, int],
) -> None:
    sitrep_count, flow_count = counts
    facts = sitrep_ga(occupied, occupied, 0, beds_at) | {
        (NCTR_PATIENTS, SITREP): Fact(sitrep_count, sitrep_count_at, "s", "sitrep.submitted"),
        (NCTR_PATIENTS, DISCHARGE_SITREP): Fact(
            flow_count, flow_count_at, "f", "discharge_sitrep.updated"
        ),
    }
    share = acute_inputs(facts, None)["nctr_pct_of_occupied"]
    flow_wins = flow_count_at >= sitrep_count_at
    count, count_at = (flow_count, flow_count_at) if flow_wins else (sitrep_count, sitrep_count_at)
    assert share.value == round(100 * count / occupied, 1)
    assert share.as_of == min(count_at, beds_at)
    assert share.source_event_id == ("f" if flow_wins else "s")


def _recorded(body: dict[str, object]) -> SitrepRecorded:
    figures = {k: v for k, v in body.items() if k not in ("org", "date")}
    return SitrepRecorded.model_validate(
        {
            "org": body["org"],
            "date": body["date"],
            "version": 1,
            "figures": figures,
            "totals": {
                "open": 1,
                "occupied": 1,
                "occupancy_pct": None,
                "escalation_open": 0,
                "nctr_pct_of_occupied": None,
            },
            "submitted_at": NOW,
            "amended_at": None,
            "deadline": NOW,
            "late": False,
            "system": "wiltshire",
            "locality": None,
        }
    )


def test_a_summer_sitrep_describes_0800_london_time() -> None:
    sitrep = _recorded(opel_sitrep(date="2026-07-01"))
    event = Event(type="sitrep.submitted", source="/capacity", subject="s", data={})
    facts = sitrep_facts(sitrep, event, "Europe/London")
    assert {f.as_of for f in facts} == {dt.datetime(2026, 7, 1, 7, 0, tzinfo=UTC)}
    assert {f.event_id for f in facts} == {str(event.id)}


def test_a_sitrep_without_an_ed_removes_the_ed_figures() -> None:
    sitrep = _recorded(opel_sitrep() | {"ed": None})
    event = Event(type="sitrep.amended", source="/capacity", subject="s", data={})
    removed = {f.name for f in sitrep_facts(sitrep, event, "Europe/London") if f.value is None}
    assert removed == {
        "mean_ambulance_handover_minutes",
        "four_hour_performance_pct",
        "ed_majors_resus_occupancy_pct",
        "median_time_to_treatment_minutes",
        "ed_over_12h_pct",
        "ed_referred_to_specialty_pct",
    }


# -- one calculation step ----------------------------------------------------------------


def _timing(now: dt.datetime, stale_at: dt.datetime | None = None) -> Timing:
    damping = trust_damping(acute(), system_config().damping)
    return Timing(now, damping, dt.timedelta(minutes=60), stale_at)


def test_no_usable_input_shows_no_level_keeps_the_damping_and_ends_a_divergence() -> None:
    first = step(Kept(None, None, 2, None), 3, 14, _timing(NOW))
    assert (first.level, first.divergence.state.since) == (3, NOW)
    kept = Kept(first.settled, first.level, 2, first.divergence.state)
    later = step(kept, None, 0, _timing(NOW + HOUR))
    assert (later.level, later.level_changed, later.settled) == (None, True, first.settled)
    assert later.divergence.state.since is None and later.due_at is None


def test_the_next_timer_is_the_earliest_of_settling_staleness_and_divergence() -> None:
    first = step(Kept(None, None, None, None), 2, 9, _timing(NOW))
    kept = Kept(first.settled, first.level, 4, None)
    stale_at = NOW + 5 * HOUR
    pending = step(kept, 3, 14, _timing(NOW + HOUR, stale_at))
    assert (pending.level, pending.settled and pending.settled.pending_level) == (2, 3)
    # Settling at +1 h 30 min comes before the divergence (+2 h) and staleness (+5 h).
    assert pending.due_at == NOW + HOUR + dt.timedelta(minutes=30)


def test_an_input_turns_stale_just_after_its_limit() -> None:
    score = score_trust(
        acute(),
        {"ed_over_12h_pct": InputValue(3.0, NOW - HOUR, None, "x")},
        NOW,
    )
    assert next_stale_at(score) == NOW - HOUR + dt.timedelta(hours=27, microseconds=1)
