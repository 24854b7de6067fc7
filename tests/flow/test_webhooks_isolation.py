"""Isolation: a receiver that never answers holds only its own endpoint's share of the
dispatcher (its in-flight limit), never another endpoint's callbacks."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.flow.webhook_receiver import HANG, Receiver
from tests.flow.webhooks_api import WEBHOOK_SETTINGS, create_endpoint, deliveries, until
from tests.support import Wicc, fetch

UNITS = ("RNZ-AMU", "RNZ-MED-A", "RNZ-MED-B", "RNZ-SURG")


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return WEBHOOK_SETTINGS


async def test_a_hanging_receiver_does_not_hold_up_a_healthy_one(wicc: Wicc) -> None:
    hanging = await Receiver(lambda _c: HANG).start()
    healthy = await Receiver().start()
    try:
        stuck = await create_endpoint(wicc, hanging.url, max_in_flight=2)
        fine = await create_endpoint(wicc, healthy.url)
        now = datetime.now(UTC)
        for n in range(3):
            for unit in UNITS:
                await wicc.put_beds(unit, occupied=n, as_of=now - timedelta(minutes=10 - n))

        # Every callback reaches the healthy receiver while the hanging one still holds
        # its first two (the 15 s limit has not run out on any of them)...
        answered = await healthy.wait_answered(len(UNITS) * 3)
        assert len({c.id for c in answered}) == 12
        assert len(hanging.callbacks) == 2
        finished = await fetch(
            wicc,
            "SELECT count(*) FROM flow.webhook_attempt a JOIN flow.webhook_delivery d "
            "ON d.id = a.delivery_id WHERE d.endpoint_id = $1 AND a.finished_at IS NOT NULL",
            stuck["id"],
        )
        assert finished[0][0] == 0
        # ...and the hanging endpoint's others wait for it, none lost.
        statuses = sorted(d["status"] for d in await deliveries(wicc, stuck["id"]))
        assert statuses == ["in_flight"] * 2 + ["pending"] * 10

        async def all_recorded() -> bool:
            return len(await deliveries(wicc, fine["id"], status="delivered")) == 12

        await until(all_recorded, what="the healthy endpoint's deliveries to be recorded")
    finally:
        await hanging.stop()
        await healthy.stop()
