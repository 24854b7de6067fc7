"""Prometheus metrics per endpoint: attempts by outcome (the success rate), queue depth
and lag."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from prometheus_client.parser import text_string_to_metric_families

from tests.flow.webhook_receiver import HANG, Receiver, always
from tests.flow.webhooks_api import WEBHOOK_SETTINGS, create_endpoint, deliveries, settled, until
from tests.support import Wicc, set_clock
from wicc_flow.state import FlowState


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return WEBHOOK_SETTINGS


async def _samples(wicc: Wicc, endpoint_id: str) -> dict[tuple[str, str | None], float]:
    response = await wicc.client.get("/flow/metrics")
    return {
        (sample.name, sample.labels.get("outcome")): sample.value
        for family in text_string_to_metric_families(response.text)
        for sample in family.samples
        if sample.labels.get("endpoint") == endpoint_id
    }


async def test_attempts_are_counted_by_outcome_per_endpoint(wicc: Wicc) -> None:
    answers = iter([503, 204])
    receiver = await Receiver(lambda c: always(next(answers))(c)).start()
    try:
        start = datetime.now(UTC)
        set_clock(wicc, start)
        created = await create_endpoint(wicc, receiver.url)
        await wicc.put_beds("RNZ-AMU")
        await receiver.wait_for(1)
        await settled(wicc)
        set_clock(wicc, start + timedelta(seconds=10))
        await receiver.wait_answered(1)
        await settled(wicc)
        samples = await _samples(wicc, created["id"])
        assert samples[("wicc_webhook_attempts_total", "failed")] == 1
        assert samples[("wicc_webhook_attempts_total", "delivered")] == 1
        assert samples[("wicc_webhook_attempt_seconds_count", None)] == 2
    finally:
        await receiver.stop()


async def test_queue_depth_and_lag_show_a_receiver_falling_behind(wicc: Wicc) -> None:
    hanging = await Receiver(lambda _c: HANG).start()
    try:
        start = datetime.now(UTC)
        set_clock(wicc, start)
        created = await create_endpoint(wicc, hanging.url, max_in_flight=1)
        for occupied in (1, 2, 3):
            await wicc.put_beds(
                "RNZ-AMU", occupied=occupied, as_of=start - timedelta(minutes=5 - occupied)
            )
        await hanging.wait_for(1)

        async def all_queued() -> bool:
            return len(await deliveries(wicc, created["id"])) == 3

        await until(all_queued, what="the three events to be queued")
        set_clock(wicc, start + timedelta(seconds=30))
        await wicc.state(FlowState).webhooks.dispatcher.refresh_gauges()
        samples = await _samples(wicc, created["id"])
        assert samples[("wicc_webhook_queue_depth", None)] == 3
        assert samples[("wicc_webhook_lag_seconds", None)] >= 30
    finally:
        await hanging.stop()
