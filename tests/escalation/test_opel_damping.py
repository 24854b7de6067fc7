"""Damping: the settled level follows the raw level without flapping."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given as hypothesis_given
from hypothesis import strategies as st

from tests.escalation.opel_support import NOW, acute, system_config
from wicc_escalation.opel.damping import (
    Damping,
    SettledLevel,
    scale_damping,
    settle,
    trust_damping,
)
from wicc_escalation.opel.ranges import level_for

MIN = timedelta(minutes=1)
HOLD = timedelta(minutes=30)
# The acute set: OPEL 2 is 7-13 points, OPEL 3 14-20; a margin of 10 (of 100) is 2.7 points.
DAMPING = trust_damping(acute(), system_config().damping)
NO_MARGIN = Damping(HOLD, None, DAMPING.levels)


def at_level_2() -> SettledLevel:
    return settle(None, 2, 10, NOW, DAMPING)


def step(
    state: SettledLevel, score: float, minutes: float, damping: Damping = DAMPING
) -> SettledLevel:
    level = level_for(damping.levels, score)
    return settle(state, level, score, NOW + timedelta(minutes=minutes), damping)


def test_the_configured_damping() -> None:
    assert (DAMPING.hold, DAMPING.margin) == (HOLD, 2.7)
    system = scale_damping(system_config().damping, system_config().levels)
    assert (system.hold, system.margin) == (HOLD, 10)


def test_the_first_calculation_settles_at_once() -> None:
    state = at_level_2()
    assert (state.level, state.since, state.raw_level, state.pending_level) == (2, NOW, 2, None)


def test_a_sustained_change_settles_after_the_hold() -> None:
    state = step(at_level_2(), 15, 0)  # OPEL 3, 1 point past the boundary: within the margin
    assert (state.level, state.raw_level, state.pending_level, state.pending_since) == (
        2,
        3,
        3,
        NOW,
    )
    assert state.settles_at(HOLD) == NOW + HOLD
    state = step(state, 16, 29)
    assert (state.level, state.pending_level) == (2, 3)
    state = step(state, 15, 30)
    assert (state.level, state.since, state.pending_level) == (3, NOW + HOLD, None)


def test_a_level_settles_on_a_timer_tick_with_no_new_input() -> None:
    state = step(at_level_2(), 15, 0)
    ticked = settle(state, state.raw_level, state.raw_score, NOW + HOLD, DAMPING)
    assert ticked.level == 3


def test_a_large_jump_settles_at_once() -> None:
    state = step(at_level_2(), 17, 5)  # 3 points past 14: beyond the 2.7 margin
    assert (state.level, state.since, state.pending_level) == (3, NOW + 5 * MIN, None)
    state = step(at_level_2(), 24, 5)  # straight to OPEL 4
    assert state.level == 4


def test_stepping_down_is_damped_the_same_way() -> None:
    at_3 = settle(None, 3, 16, NOW, DAMPING)
    state = step(at_3, 12, 0)  # 2 below the OPEL 3 boundary of 14: within the margin
    assert (state.level, state.pending_level) == (3, 2)
    assert step(state, 12, 30).level == 2
    assert step(at_3, 11, 0).level == 2  # 3 below: at once


def test_a_return_to_the_settled_level_clears_the_pending_one() -> None:
    state = step(step(at_level_2(), 15, 0), 12, 20)
    assert (state.level, state.pending_level, state.pending_since, state.held) == (
        2,
        None,
        None,
        (),
    )
    state = step(state, 15, 25)  # back up: the hold starts again
    assert state.pending_since == NOW + 25 * MIN
    assert step(state, 15, 50).level == 2
    assert step(state, 15, 55).level == 3


def test_a_level_that_held_settles_even_if_the_raw_level_went_further() -> None:
    state = step(at_level_2(), 15, 0, NO_MARGIN)  # OPEL 3 from 10:00
    state = step(state, 22, 10, NO_MARGIN)  # OPEL 4 from 10:10
    assert (state.level, state.pending_level, state.pending_since) == (2, 4, NOW + 10 * MIN)
    state = step(state, 22, 31, NO_MARGIN)
    assert (state.level, state.since, state.pending_level) == (3, NOW + HOLD, 4)
    assert step(state, 22, 40, NO_MARGIN).level == 4


def test_without_a_hold_every_change_settles_at_once() -> None:
    damping = Damping(timedelta(0), None, DAMPING.levels)
    assert step(at_level_2(), 14, 1, damping).level == 3


# Properties ---------------------------------------------------------------------------------

# Periods just either side of the OPEL 2/3 boundary (14), all within the margin.
near_boundary = st.lists(
    st.tuples(st.sampled_from([12, 13, 14, 15, 16]), st.integers(1, 29)), min_size=1, max_size=40
)


@hypothesis_given(near_boundary)
def test_flapping_inputs_do_not_flap_the_settled_level(periods: list[tuple[int, int]]) -> None:
    """Raw scores going back and forth across a boundary, never at OPEL 3 for a whole
    hold, leave the settled level where it was; the raw level is still kept."""
    state, minutes = at_level_2(), 0
    alternating = [
        (score if i % 2 else min(score, 13), length) for i, (score, length) in enumerate(periods)
    ]
    for score, length in alternating:
        state = step(state, score, minutes)
        assert state.level == 2
        assert state.raw_level == level_for(DAMPING.levels, score)
        minutes += length


@hypothesis_given(
    st.lists(st.tuples(st.integers(0, 27), st.integers(0, 45)), min_size=1, max_size=40)
)
def test_the_settled_level_only_moves_to_a_level_held_for_the_hold(
    path: list[tuple[int, int]],
) -> None:
    """Without the margin rule: when the settled level moves to L, the raw level reached
    L (or beyond, in that direction) exactly a hold before it settled, and has not come
    back since. The settled level never passes the raw one."""
    history: list[tuple[timedelta, int]] = []
    state: SettledLevel | None = None
    elapsed = timedelta(0)
    for score, gap in path:
        raw = level_for(NO_MARGIN.levels, score)
        history.append((elapsed, raw))
        before = state
        state = settle(state, raw, score, NOW + elapsed, NO_MARGIN)
        if before is not None and state.level != before.level:
            up = state.level > before.level
            reached = state.since - HOLD - NOW

            def beyond(r: int, up: bool = up, level: int = state.level) -> bool:
                return r >= level if up else r <= level

            assert beyond(raw)
            # Several scores may come at one instant: the hold starts at the last of
            # them that reached the level, after which it never came back.
            starts = [i for i, (t, r) in enumerate(history) if t == reached and beyond(r)]
            assert any(all(beyond(r) for _, r in history[i:]) for i in starts)
        elapsed += gap * MIN
