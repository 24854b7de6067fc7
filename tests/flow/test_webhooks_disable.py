"""An endpoint is disabled when its receiver answers 410 Gone, or after 5 days of
failures without a success, with a `webhook_endpoint.disabled` event; and on request."""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.flow.webhook_receiver import Receiver, always
from tests.flow.webhooks_api import (
    ENDPOINTS,
    WEBHOOK_SETTINGS,
    create_endpoint,
    deliveries,
    endpoint,
    settled,
    until,
)
from tests.support import Wicc, events_of, set_clock
from wicc_flow.state import FlowState
from wicc_flow.webhooks.deliveries.repository import insert_many
from wicc_flow.webhooks.deliveries.routing import delivery_row


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return WEBHOOK_SETTINGS


async def _disabled(wicc: Wicc, endpoint_id: str) -> dict[str, Any]:
    async def off() -> bool:
        return not (await endpoint(wicc, endpoint_id))["enabled"]

    await until(off, what="the endpoint to be disabled")
    return await endpoint(wicc, endpoint_id)


async def test_410_gone_disables_the_endpoint_at_once(wicc: Wicc, receiver: Receiver) -> None:
    gone = await Receiver(always(410)).start()
    try:
        leaving = await create_endpoint(wicc, gone.url)
        staying = await create_endpoint(wicc, receiver.url)
        await wicc.put_beds("RNZ-AMU", occupied=12)
        await gone.wait_for(1)

        disabled = await _disabled(wicc, leaving["id"])
        assert disabled["disabled_reason"] == "gone"
        [announced] = await events_of(wicc, "webhook_endpoint.disabled", 1)
        assert announced.data["endpoint_id"] == leaving["id"]
        assert (announced.data["reason"], announced.data["status_code"]) == ("gone", 410)
        [delivery] = await deliveries(wicc, leaving["id"])
        assert (delivery["status"], delivery["response_code"]) == ("failed", 410)

        # Nothing more is sent to it, while the other endpoint carries on.
        await wicc.put_beds("RNZ-AMU", occupied=13)
        await receiver.wait_for(2)
        assert len(gone.callbacks) == 1
        assert len(await deliveries(wicc, leaving["id"])) == 1
        assert (await endpoint(wicc, staying["id"]))["enabled"]
    finally:
        await gone.stop()


async def test_five_days_of_failures_disable_the_endpoint(wicc: Wicc) -> None:
    failing = await Receiver(always(503)).start()
    try:
        start = datetime.now(UTC)
        set_clock(wicc, start)
        created = await create_endpoint(wicc, failing.url)
        await wicc.put_beds("RNZ-AMU", as_of=start - timedelta(minutes=1))
        await failing.wait_for(1)
        await settled(wicc)
        assert (await endpoint(wicc, created["id"]))["failing_since"] is not None

        # Just short of 5 days it is still enabled; a failure after 5 is the last.
        later = start + timedelta(days=4, hours=23)
        set_clock(wicc, later)
        await wicc.put_beds("RNZ-MED-A", as_of=later - timedelta(minutes=1))
        await failing.wait_for(2)
        await settled(wicc)
        assert (await endpoint(wicc, created["id"]))["enabled"]

        last = start + timedelta(days=5, minutes=1)
        set_clock(wicc, last)
        await wicc.put_beds("RNZ-SURG", as_of=last - timedelta(minutes=1))
        disabled = await _disabled(wicc, created["id"])
        assert disabled["disabled_reason"] == "failing"
        [announced] = await events_of(wicc, "webhook_endpoint.disabled", 1)
        assert announced.data["reason"] == "failing"
        # What was waiting failed with it, also what a fan-out committed meanwhile.
        await _nothing_waits(wicc, created["id"])
    finally:
        await failing.stop()


async def _nothing_waits(wicc: Wicc, endpoint_id: str) -> None:
    async def none_pending() -> bool:
        return await deliveries(wicc, endpoint_id, status="pending") == []

    await until(none_pending, what="the disabled endpoint's deliveries to fail")


async def test_a_delivery_fanned_out_as_its_endpoint_is_disabled_fails_too(
    wicc: Wicc, receiver: Receiver
) -> None:
    created = await create_endpoint(wicc, receiver.url)
    off = await wicc.client.patch(
        f"{ENDPOINTS}/{created['id']}", json={"enabled": False}, headers=wicc.auth()
    )
    assert off.status_code == 200, off.text
    await wicc.put_beds("RNZ-AMU", occupied=14)
    [event] = await events_of(wicc, "beds.updated", 1)
    # What a fan-out that read the endpoint as enabled, and committed just after the
    # endpoint was disabled, leaves behind.
    async with wicc.runtime.transaction() as session:
        row = delivery_row(uuid.UUID(created["id"]), event, now=wicc.runtime.clock())
        await insert_many(session, [row])
    wicc.state(FlowState).webhooks.dispatcher.wake()

    await _nothing_waits(wicc, created["id"])
    [stray] = await deliveries(wicc, created["id"])
    assert (stray["status"], stray["reason"]) == ("failed", "endpoint_requested")
    assert receiver.callbacks == []


async def test_a_success_ends_a_run_of_failures(wicc: Wicc) -> None:
    answers = iter([503, 204])
    flaky = await Receiver(lambda _c: always(next(answers))(_c)).start()
    try:
        start = datetime.now(UTC)
        set_clock(wicc, start)
        created = await create_endpoint(wicc, flaky.url)
        await wicc.put_beds("RNZ-AMU", as_of=start - timedelta(minutes=1))
        await flaky.wait_for(1)
        await settled(wicc)
        assert (await endpoint(wicc, created["id"]))["failing_since"] is not None
        set_clock(wicc, start + timedelta(seconds=10))  # the retry is due after 5 s
        await flaky.wait_answered(1)
        await settled(wicc)
        assert (await endpoint(wicc, created["id"]))["failing_since"] is None
    finally:
        await flaky.stop()


async def test_disabling_on_request_is_announced_and_enabling_starts_afresh(
    wicc: Wicc, receiver: Receiver
) -> None:
    created = await create_endpoint(wicc, receiver.url)
    path = f"{ENDPOINTS}/{created['id']}"
    off = await wicc.client.patch(path, json={"enabled": False}, headers=wicc.auth())
    assert off.status_code == 200, off.text
    assert (off.json()["enabled"], off.json()["disabled_reason"]) == (False, "requested")
    [announced] = await events_of(wicc, "webhook_endpoint.disabled", 1)
    assert announced.data["reason"] == "requested"

    test = await wicc.client.post(f"{path}/test", headers=wicc.auth())
    assert test.status_code == 409
    assert test.json()["type"] == "urn:wicc:problem:endpoint-disabled"

    on = await wicc.client.patch(path, json={"enabled": True}, headers=wicc.auth())
    assert (on.json()["enabled"], on.json()["disabled_reason"]) == (True, None)
    await wicc.put_beds("RNZ-AMU")
    await receiver.wait_for(1)
