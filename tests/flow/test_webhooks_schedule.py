"""The retry schedule, Retry-After, the outcome of each response and the 5-day rule."""

from __future__ import annotations

import random
from datetime import UTC, datetime, timedelta

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wicc_flow.webhooks.schedule import (
    JITTER_FRACTION,
    MAX_ATTEMPTS,
    MAX_RETRY_AFTER,
    RETRY_DELAYS,
    Action,
    Outcome,
    TransportFailure,
    Verdict,
    classify_failure,
    classify_response,
    failing_since,
    next_attempt_at,
    next_step,
    parse_retry_after,
    retry_delay,
    should_disable,
)

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
SPEC_WAITS = [
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
]
FAILED = Outcome(Verdict.FAILED, "http_500", 500)


class _Fixed(random.Random):
    """A random source that always draws the same number, to pin the jitter."""

    def __init__(self, value: float) -> None:
        super().__init__()
        self.value = value

    def random(self) -> float:
        return self.value


def test_the_schedule_is_the_specifications() -> None:
    assert RETRY_DELAYS[0] == timedelta(0)
    assert [retry_delay(n, rng=_Fixed(0.0)) for n in range(1, MAX_ATTEMPTS)] == SPEC_WAITS
    assert MAX_ATTEMPTS == 10


def test_after_the_tenth_attempt_the_delivery_is_given_up() -> None:
    assert next_attempt_at(9, NOW, rng=_Fixed(0.0)) == NOW + timedelta(hours=24)
    assert next_attempt_at(10, NOW) is None
    assert next_step(FAILED, 10, NOW).action is Action.GIVE_UP
    assert next_step(FAILED, 10, NOW).at is None


@given(attempt=st.integers(1, MAX_ATTEMPTS - 1), seed=st.integers(0, 2**32))
def test_jitter_only_ever_stretches_a_wait_by_up_to_ten_percent(attempt: int, seed: int) -> None:
    base = RETRY_DELAYS[attempt]
    delay = retry_delay(attempt, rng=random.Random(seed))
    assert delay is not None
    assert base <= delay <= base * (1 + JITTER_FRACTION)


def test_the_same_seed_gives_the_same_schedule_and_jitter_varies() -> None:
    first = [next_attempt_at(n, NOW, rng=random.Random(7)) for n in range(1, MAX_ATTEMPTS)]
    again = [next_attempt_at(n, NOW, rng=random.Random(7)) for n in range(1, MAX_ATTEMPTS)]
    assert first == again
    spread = {retry_delay(4, rng=random.Random(seed)) for seed in range(20)}
    assert len(spread) > 1


def test_attempts_are_numbered_from_one() -> None:
    with pytest.raises(ValueError, match="from 1"):
        next_attempt_at(0, NOW)


@pytest.mark.parametrize(
    ("retry_after", "expected"),
    [
        (timedelta(hours=3), NOW + timedelta(hours=3)),  # longer than the 5 s wait: honoured
        (timedelta(seconds=1), NOW + timedelta(seconds=5)),  # shorter: the schedule's wait
        (timedelta(days=30), NOW + MAX_RETRY_AFTER),  # absurd: bounded
    ],
)
def test_retry_after_only_ever_delays(retry_after: timedelta, expected: datetime) -> None:
    assert next_attempt_at(1, NOW, retry_after, rng=_Fixed(0.0)) == expected


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        ("120", timedelta(seconds=120)),
        (" 0 ", timedelta(0)),
        ("99999999999999999999", MAX_RETRY_AFTER),
        ("1" * 5000, MAX_RETRY_AFTER),  # longer than Python converts: still bounded
        ("Sun, 01 Mar 2026 09:10:00 GMT", timedelta(minutes=10)),  # IMF-fixdate
        ("Sunday, 01-Mar-26 09:10:00 GMT", timedelta(minutes=10)),  # obsolete RFC 850
        ("Sun Mar  1 09:10:00 2026", timedelta(minutes=10)),  # obsolete asctime
        ("Sun, 01 Mar 2026 08:00:00 GMT", timedelta(0)),  # in the past: now
        ("Fri, 31 Dec 9999 23:59:59 GMT", MAX_RETRY_AFTER),
        ("-5", None),
        ("1.5", None),
        ("soon", None),
        ("", None),
        (None, None),
    ],
)
def test_retry_after_parsing(header: str | None, expected: timedelta | None) -> None:
    assert parse_retry_after(header, NOW) == expected


@pytest.mark.parametrize("status", [200, 201, 202, 204, 299])
def test_any_2xx_is_delivered(status: int) -> None:
    assert classify_response(status, None, NOW) == Outcome(
        Verdict.DELIVERED, f"http_{status}", status
    )


@pytest.mark.parametrize("status", [100, 199, 300, 301, 302, 307, 308, 400, 404, 418, 500, 502])
def test_everything_else_but_410_is_a_failure(status: int) -> None:
    outcome = classify_response(status, "60", NOW)
    assert outcome.verdict is Verdict.FAILED
    assert outcome.retry_after is None  # Retry-After counts only on 429 and 503


def test_410_disables_the_endpoint() -> None:
    outcome = classify_response(410, None, NOW)
    assert outcome.verdict is Verdict.GONE
    assert next_step(outcome, 1, NOW) == next_step(outcome, 10, NOW)
    assert next_step(outcome, 1, NOW).action is Action.DISABLE_ENDPOINT


@pytest.mark.parametrize("status", [429, 503])
def test_429_and_503_carry_their_retry_after(status: int) -> None:
    outcome = classify_response(status, "600", NOW)
    assert outcome == Outcome(Verdict.FAILED, f"http_{status}", status, timedelta(minutes=10))
    step = next_step(outcome, 1, NOW, rng=_Fixed(0.0))
    assert step.action is Action.RETRY
    assert step.at == NOW + timedelta(minutes=10)


@pytest.mark.parametrize("failure", list(TransportFailure))
def test_a_transport_failure_is_retried(failure: TransportFailure) -> None:
    outcome = classify_failure(failure)
    assert outcome == Outcome(Verdict.FAILED, failure.value)
    step = next_step(outcome, 2, NOW, rng=_Fixed(0.0))
    assert step.action is Action.RETRY
    assert step.at == NOW + timedelta(minutes=5)


def test_next_step_after_each_kind_of_outcome() -> None:
    delivered = classify_response(200, None, NOW)
    assert next_step(delivered, 3, NOW).action is Action.DONE
    assert next_step(delivered, 3, NOW).at is None
    assert next_step(FAILED, 1, NOW, rng=_Fixed(0.0)).at == NOW + timedelta(seconds=5)
    assert next_step(FAILED, MAX_ATTEMPTS, NOW).action is Action.GIVE_UP


def test_a_failing_run_starts_at_its_first_failure_and_a_success_ends_it() -> None:
    delivered = classify_response(204, None, NOW)
    gone = classify_response(410, None, NOW)
    start = failing_since(FAILED, None, NOW)
    assert start == NOW
    assert failing_since(FAILED, start, NOW + timedelta(days=1)) == NOW
    assert failing_since(gone, start, NOW + timedelta(days=1)) == NOW
    assert failing_since(delivered, start, NOW + timedelta(days=1)) is None


def test_an_endpoint_failing_for_five_days_is_disabled() -> None:
    assert not should_disable(None, NOW)
    assert not should_disable(NOW, NOW + timedelta(days=5) - timedelta(seconds=1))
    assert should_disable(NOW, NOW + timedelta(days=5))


@given(outcomes=st.lists(st.sampled_from([Verdict.DELIVERED, Verdict.FAILED]), max_size=40))
def test_disabled_only_after_five_days_without_any_success(outcomes: list[Verdict]) -> None:
    # One attempt every 6 hours; the rule must agree with a direct count of the run.
    start: datetime | None = None
    for i, verdict in enumerate(outcomes):
        now = NOW + timedelta(hours=6 * i)
        start = failing_since(Outcome(verdict, "x"), start, now)
        run = 0
        for earlier in reversed(outcomes[: i + 1]):
            if earlier is Verdict.DELIVERED:
                break
            run += 1
        assert should_disable(start, now) == (run > 0 and (run - 1) * 6 >= 5 * 24)
