"""Delivery order per (endpoint, subject) and per-endpoint concurrency limits."""

from __future__ import annotations

import dataclasses
from collections import Counter, defaultdict
from datetime import UTC, datetime, timedelta

from hypothesis import given
from hypothesis import strategies as st

from wicc_flow.webhooks.ordering import DeliveryStatus, PendingDelivery, plan

NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)
PENDING, IN_FLIGHT = DeliveryStatus.PENDING, DeliveryStatus.IN_FLIGHT
DELIVERED, FAILED = DeliveryStatus.DELIVERED, DeliveryStatus.FAILED
Delivery = PendingDelivery[int, str]


def delivery(
    seq: int,
    *,
    endpoint: str = "e1",
    subject: str = "units/1",
    status: DeliveryStatus = PENDING,
    due_in: timedelta = timedelta(0),
) -> Delivery:
    return PendingDelivery(seq, endpoint, subject, seq, status, NOW + due_in)


def seqs(chosen: list[Delivery]) -> list[int]:
    return [d.seq for d in chosen]


def test_only_the_earliest_delivery_of_a_subject_goes() -> None:
    chosen = plan([delivery(3), delivery(1), delivery(2)], now=NOW, limits={})
    assert seqs(chosen) == [1]


def test_a_failing_delivery_holds_its_subject_but_not_others() -> None:
    retrying = delivery(1, due_in=timedelta(minutes=5))  # failed once, retry later
    later_same = delivery(2)
    other = delivery(3, subject="units/2")
    assert seqs(plan([retrying, later_same, other], now=NOW, limits={})) == [3]


def test_an_in_flight_delivery_holds_its_subject() -> None:
    chosen = plan([delivery(1, status=IN_FLIGHT), delivery(2)], now=NOW, limits={})
    assert chosen == []


def test_a_reopened_earlier_event_waits_for_the_later_one_in_flight() -> None:
    # A manual retry or a replay reopened event 1 while event 2 is being sent.
    chosen = plan([delivery(1), delivery(2, status=IN_FLIGHT)], now=NOW, limits={})
    assert chosen == []


def test_delivered_and_given_up_deliveries_hold_nothing() -> None:
    done = [delivery(1, status=DELIVERED), delivery(2, status=FAILED)]
    chosen = plan([*done, delivery(3)], now=NOW, limits={})
    assert seqs(chosen) == [3]


def test_an_endpoint_gets_no_more_than_its_limit_in_flight() -> None:
    pending = [delivery(i, subject=f"units/{i}") for i in range(1, 6)]
    busy = delivery(9, subject="units/9", status=IN_FLIGHT)
    assert seqs(plan([*pending, busy], now=NOW, limits={"e1": 3})) == [1, 2]


def test_an_answered_delivery_holds_its_subject_but_not_its_endpoints_place() -> None:
    # Its answer is in, not yet stored: no request is waiting on the receiver for it.
    answered = delivery(1, status=IN_FLIGHT)
    same_subject, other = delivery(2), delivery(3, subject="units/3")
    candidates = [answered, same_subject, other]
    assert seqs(plan(candidates, now=NOW, limits={"e1": 1}, answered={1})) == [3]
    assert plan(candidates, now=NOW, limits={"e1": 1}) == []


def test_endpoints_are_limited_separately() -> None:
    many = [delivery(i, endpoint=f"e{i % 2}", subject=f"units/{i}") for i in range(10)]
    chosen = plan(many, now=NOW, limits={"e0": 1}, default_limit=2)
    assert Counter(d.endpoint_id for d in chosen) == {"e0": 1, "e1": 2}


def test_the_longest_waiting_go_first() -> None:
    old_retry = delivery(7, subject="units/7", due_in=timedelta(minutes=-30))
    fresh = delivery(2, subject="units/2")
    assert seqs(plan([fresh, old_retry], now=NOW, limits={"e1": 1})) == [7]


def test_a_paused_endpoint_sends_nothing_until_its_pause_ends() -> None:
    pending = [delivery(1), delivery(2, endpoint="e2")]
    pause = {"e1": NOW + timedelta(minutes=1)}
    assert seqs(plan(pending, now=NOW, limits={}, paused_until=pause)) == [2]
    later = NOW + timedelta(minutes=1)
    assert seqs(plan(pending, now=later, limits={}, paused_until=pause)) == [1, 2]


def test_two_deliveries_of_one_event_go_one_at_a_time() -> None:
    original = PendingDelivery(10, "e1", "units/1", 5, PENDING, NOW)
    replayed = PendingDelivery(11, "e1", "units/1", 5, PENDING, NOW)
    assert plan([original, replayed], now=NOW, limits={}) == [original]


# Properties over generated sets of deliveries.

ENDPOINTS = ["e1", "e2", "e3"]
SUBJECTS = ["units/1", "units/2", "orgs/RNZ"]


@st.composite
def deliveries(draw: st.DrawFn) -> list[Delivery]:
    seq_values = draw(st.sets(st.integers(1, 200), max_size=30))
    return [
        PendingDelivery(
            seq,
            draw(st.sampled_from(ENDPOINTS)),
            draw(st.sampled_from(SUBJECTS)),
            seq,
            draw(st.sampled_from(list(DeliveryStatus))),
            NOW + timedelta(minutes=draw(st.integers(-5, 5))),
        )
        for seq in sorted(seq_values)
    ]


LIMITS = st.dictionaries(st.sampled_from(ENDPOINTS), st.integers(0, 3))


def _open(items: list[Delivery]) -> list[Delivery]:
    return [d for d in items if d.status in (PENDING, IN_FLIGHT)]


@given(items=deliveries(), limits=LIMITS)
def test_never_two_in_flight_for_one_endpoint_and_subject(
    items: list[Delivery], limits: dict[str, int]
) -> None:
    chosen = plan(items, now=NOW, limits=limits)
    already = {(d.endpoint_id, d.subject) for d in items if d.status is IN_FLIGHT}
    keys = [(d.endpoint_id, d.subject) for d in chosen]
    assert len(keys) == len(set(keys))
    assert not already & set(keys)


@given(items=deliveries(), limits=LIMITS)
def test_never_a_later_event_before_an_earlier_open_one(
    items: list[Delivery], limits: dict[str, int]
) -> None:
    for chosen in plan(items, now=NOW, limits=limits):
        assert chosen.status is PENDING and chosen.next_attempt_at <= NOW
        for other in _open(items):
            if (other.endpoint_id, other.subject) == (chosen.endpoint_id, chosen.subject):
                assert other.seq >= chosen.seq


@given(items=deliveries(), limits=LIMITS, default=st.integers(0, 3))
def test_never_more_than_the_limit_and_no_capacity_left_idle(
    items: list[Delivery], limits: dict[str, int], default: int
) -> None:
    chosen = plan(items, now=NOW, limits=limits, default_limit=default)
    unlimited = plan(items, now=NOW, limits={}, default_limit=len(items) + 1)
    for endpoint in ENDPOINTS:
        limit = limits.get(endpoint, default)
        busy = sum(1 for d in items if d.status is IN_FLIGHT and d.endpoint_id == endpoint)
        mine = sum(1 for d in chosen if d.endpoint_id == endpoint)
        eligible = sum(1 for d in unlimited if d.endpoint_id == endpoint)
        # Within the limit, and as much as the limit allows: a held subject never idles it.
        assert mine == max(0, min(limit - busy, eligible))


@given(items=deliveries(), blocked=st.sampled_from(["held", "in_flight"]))
def test_a_held_subject_never_changes_what_other_subjects_send(
    items: list[Delivery], blocked: str
) -> None:
    # The subject's first event waits for its retry, or is being sent.
    first = (
        PendingDelivery(999, "e1", "units/stuck", 0, PENDING, NOW + timedelta(hours=1))
        if blocked == "held"
        else PendingDelivery(999, "e1", "units/stuck", 0, IN_FLIGHT, NOW)
    )
    later = [PendingDelivery(1000 + i, "e1", "units/stuck", i, PENDING, NOW) for i in range(1, 20)]
    stuck = [first, *later]
    big = len(items) + 50
    without = plan(items, now=NOW, limits={}, default_limit=big)
    with_stuck = plan([*stuck, *items], now=NOW, limits={}, default_limit=big)
    assert with_stuck == without


@given(
    items=deliveries(),
    limits=LIMITS.map(lambda given_limits: {e: max(1, n) for e, n in given_limits.items()}),
    failures=st.lists(st.booleans(), max_size=60),
)
def test_a_dispatcher_driven_by_the_plan_delivers_every_subject_in_order(
    items: list[Delivery], limits: dict[str, int], failures: list[bool]
) -> None:
    """Simulate the dispatcher: attempts fail as drawn, then all succeed; each subject's
    events arrive in event order and none is lost."""
    state = {d.delivery_id: dataclasses.replace(d, status=PENDING) for d in _open(items)}
    arrived: dict[tuple[str, str], list[int]] = defaultdict(list)
    outcomes = iter(failures)
    now = NOW
    for _ in range(500):
        if all(d.status is DELIVERED for d in state.values()):
            break
        for chosen in plan(list(state.values()), now=now, limits=limits):
            if next(outcomes, False):
                retry_at = now + timedelta(minutes=1)
                state[chosen.delivery_id] = dataclasses.replace(chosen, next_attempt_at=retry_at)
            else:
                state[chosen.delivery_id] = dataclasses.replace(chosen, status=DELIVERED)
                arrived[(chosen.endpoint_id, chosen.subject)].append(chosen.seq)
        now += timedelta(minutes=1)
    assert all(d.status is DELIVERED for d in state.values())
    for received in arrived.values():
        assert received == sorted(received)
    assert sum(len(v) for v in arrived.values()) == len(state)
