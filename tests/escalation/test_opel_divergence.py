"""Divergence: a declaration differing from the calculation for too long, raised once
per episode."""

from __future__ import annotations

from datetime import timedelta

from hypothesis import given as hypothesis_given
from hypothesis import strategies as st

from tests.escalation.opel_support import NOW
from wicc_escalation.opel.divergence import Divergence, check_divergence

AFTER = timedelta(minutes=60)
MIN = timedelta(minutes=1)


def test_no_episode_while_they_agree_or_nothing_is_declared() -> None:
    for calculated, declared in [(3, 3), (3, None), (None, 3)]:
        check = check_divergence(None, calculated, declared, NOW, AFTER)
        assert (check.raise_now, check.state.since) == (False, None)


def test_raised_once_the_configured_time_has_passed_and_only_once() -> None:
    check = check_divergence(None, 2, 3, NOW, AFTER)
    assert (check.raise_now, check.state.since, check.state.due_at(AFTER)) == (
        False,
        NOW,
        NOW + AFTER,
    )
    check = check_divergence(check.state, 2, 3, NOW + 59 * MIN, AFTER)
    assert not check.raise_now
    check = check_divergence(check.state, 2, 3, NOW + AFTER, AFTER)
    assert check.raise_now
    assert check.state.raised
    assert check.state.due_at(AFTER) is None
    check = check_divergence(check.state, 2, 3, NOW + 2 * AFTER, AFTER)
    assert not check.raise_now


def test_a_change_of_level_while_they_still_differ_continues_the_episode() -> None:
    check = check_divergence(None, 2, 3, NOW, AFTER)
    check = check_divergence(check.state, 4, 3, NOW + 30 * MIN, AFTER)  # now the other way
    assert check.state.since == NOW
    assert check_divergence(check.state, 4, 3, NOW + AFTER, AFTER).raise_now


def test_agreeing_ends_the_episode_and_a_new_one_is_raised_again() -> None:
    raised = check_divergence(
        check_divergence(None, 2, 3, NOW, AFTER).state, 2, 3, NOW + AFTER, AFTER
    )
    assert raised.raise_now
    agreed = check_divergence(raised.state, 3, 3, NOW + 70 * MIN, AFTER)
    assert agreed.state == Divergence(3, 3, None, raised=False)
    again = check_divergence(agreed.state, 3, 4, NOW + 80 * MIN, AFTER)
    assert again.state.since == NOW + 80 * MIN
    assert check_divergence(again.state, 3, 4, NOW + 140 * MIN, AFTER).raise_now


@hypothesis_given(
    st.lists(
        st.tuples(st.integers(1, 4), st.integers(1, 4) | st.none(), st.integers(0, 90)),
        min_size=1,
        max_size=30,
    )
)
def test_at_most_one_raise_per_episode_and_only_after_the_time(
    steps: list[tuple[int, int | None, int]],
) -> None:
    state: Divergence | None = None
    elapsed = timedelta(0)
    raised_in_episode = 0
    for calculated, declared, gap in steps:
        check = check_divergence(state, calculated, declared, NOW + elapsed, AFTER)
        if check.state.since is None:
            raised_in_episode = 0
        if check.raise_now:
            raised_in_episode += 1
            assert check.state.since is not None
            assert NOW + elapsed - check.state.since >= AFTER
        assert raised_in_episode <= 1
        state = check.state
        elapsed += gap * MIN
