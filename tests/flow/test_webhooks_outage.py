"""Nothing lost: a receiver down for an hour, and a dispatcher stopped mid-delivery.

Time is the runtime's clock, moved by the test; the receiver is a real HTTP server on
127.0.0.1, stopped and started again on the same port.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.flow.webhook_receiver import HANG, Answer, Callback, Receiver
from tests.flow.webhooks_api import (
    ENDPOINTS,
    WEBHOOK_SETTINGS,
    create_endpoint,
    deliveries,
    settled,
    until,
)
from tests.support import Wicc, events_of, serve, set_clock, settings_for

SUBJECTS = ("RNZ-AMU", "RD1-AMU")


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return WEBHOOK_SETTINGS


async def _report_beds(wicc: Wicc, now: datetime, rounds: int) -> None:
    """`rounds` reports per unit, interleaved, each newer than the last."""
    for n in range(rounds):
        for unit in SUBJECTS:
            as_of = now - timedelta(minutes=30 - n)
            response = await wicc.put_beds(unit, occupied=10 + n, as_of=as_of)
            assert response.status_code == 200, response.text


def _by_subject(callbacks: list[Callback], secret: str) -> dict[str, list[dict[str, Any]]]:
    seen: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for callback in callbacks:
        event = callback.verified(secret)
        assert event["id"] == callback.id
        seen[event["subject"]].append(event)
    return seen


async def _head_attempts(wicc: Wicc, endpoint_id: str, count: int) -> None:
    async def reached() -> bool:
        heads = [d for d in await deliveries(wicc, endpoint_id) if d["attempts"]]
        return len(heads) == len(SUBJECTS) and all(d["attempts"] == count for d in heads)

    await until(reached, what=f"each subject's first event to have had {count} attempts")
    await settled(wicc)


async def test_a_receiver_down_for_an_hour_gets_every_event_in_order_once_back(
    wicc: Wicc,
) -> None:
    start = datetime.now(UTC)
    set_clock(wicc, start)
    receiver = await Receiver().start()
    await receiver.stop()  # nothing listens on its port: every attempt is refused
    endpoint = await create_endpoint(wicc, receiver.url)
    await _report_beds(wicc, start, rounds=3)
    published = await events_of(wicc, "beds.updated", 6)

    # The first event of each subject fails and is retried (5 s, 5 min, 30 min after);
    # the later ones wait behind it. An hour passes.
    await _head_attempts(wicc, endpoint["id"], 1)
    for attempts, elapsed in ((2, timedelta(seconds=6)), (3, timedelta(minutes=6))):
        set_clock(wicc, start + elapsed)
        await _head_attempts(wicc, endpoint["id"], attempts)
    set_clock(wicc, start + timedelta(minutes=40))
    await _head_attempts(wicc, endpoint["id"], 4)
    set_clock(wicc, start + timedelta(hours=1))
    await settled(wicc)
    waiting = await deliveries(wicc, endpoint["id"], status="pending")
    assert len(waiting) == 6
    assert receiver.callbacks == []

    # Back after an hour; the next attempt (2 h after the fourth) finds it.
    await receiver.start()
    set_clock(wicc, start + timedelta(hours=3))
    answered = await receiver.wait_answered(6)

    seen = _by_subject(answered, endpoint["secret"])
    for unit in SUBJECTS:
        in_log = [str(e.id) for e in published if e.subject == f"units/{unit}"]
        assert [e["id"] for e in seen[f"units/{unit}"]] == in_log  # each once, in order
        assert [e["data"]["occupied"] for e in seen[f"units/{unit}"]] == [10, 11, 12]
    assert len(receiver.callbacks) == 6
    await receiver.stop()


async def test_a_dispatcher_stopped_mid_delivery_resends_with_the_same_id(
    fresh_db: str, redis_url: str
) -> None:
    hanging = True
    receiver = await Receiver(lambda _c: HANG if hanging else Answer(204)).start()
    settings = settings_for(fresh_db, redis_url, **WEBHOOK_SETTINGS)
    now = datetime.now(UTC)
    try:
        async with serve(settings) as first:
            set_clock(first, now)
            endpoint = await create_endpoint(first, receiver.url)
            await _report_beds(first, now, rounds=2)
            published = await events_of(first, "beds.updated", 4)
            # Each subject's first event is being sent (the receiver holds it); the
            # second waits behind it. Then the process stops, mid-request.
            interrupted = await receiver.wait_for(2)

        hanging = False
        async with serve(settings) as second:
            claimed = [d for d in await deliveries(second, endpoint["id"]) if d["attempts"]]
            assert [d["status"] for d in claimed] == ["in_flight", "in_flight"]
            # Its lease (60 s) runs out: the delivery is taken back and sent again.
            set_clock(second, now + timedelta(minutes=2))
            answered = await receiver.wait_answered(4)
            for delivery in claimed:
                detail = await second.client.get(
                    f"{ENDPOINTS}/{endpoint['id']}/deliveries/{delivery['id']}",
                    headers=second.auth(),
                )
                outcomes = [a["outcome"] for a in detail.json()["attempts_made"]]
                assert outcomes == ["abandoned", "delivered"]
    finally:
        await receiver.stop()

    assert {c.id for c in interrupted} <= {c.id for c in answered}
    seen = _by_subject(answered, endpoint["secret"])
    for unit in SUBJECTS:
        in_log = [str(e.id) for e in published if e.subject == f"units/{unit}"]
        assert [e["id"] for e in seen[f"units/{unit}"]] == in_log
