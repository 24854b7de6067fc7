"""Callbacks as a trust receives them: signed per Standard Webhooks (checked with the
official `standardwebhooks` library), the body the event's envelope, the `webhook-id`
the event's id; a test callback; a secret rotation signing with both secrets."""

from __future__ import annotations

import json
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from standardwebhooks.webhooks import Webhook, WebhookVerificationError

from tests.flow.webhook_receiver import Receiver
from tests.flow.webhooks_api import ENDPOINTS, WEBHOOK_SETTINGS, create_endpoint, deliveries, until
from tests.support import Wicc, events_of, fetch, set_clock
from wicc_flow.state import FlowState
from wicc_flow.webhooks.signing import new_secret


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return WEBHOOK_SETTINGS


async def test_every_callback_verifies_with_the_official_library(
    wicc: Wicc, receiver: Receiver
) -> None:
    endpoint = await create_endpoint(wicc, receiver.url, event_types=["beds.*"])
    assert endpoint["secret"].startswith("whsec_")
    assert (await wicc.put_beds("RNZ-AMU", occupied=17)).status_code == 200

    [callback] = await receiver.wait_for(1)
    event = callback.verified(endpoint["secret"])
    [logged] = await events_of(wicc, "beds.updated", 1)
    assert event["id"] == callback.id == str(logged.id)
    assert event == json.loads(logged.to_json())  # the envelope, exactly
    assert event["data"]["occupied"] == 17
    assert callback.headers["content-type"] == "application/json"
    assert callback.headers["user-agent"] == "WICC-Webhooks/1"
    # The library refuses it under any other secret: the check can fail.
    with pytest.raises(WebhookVerificationError):
        Webhook(new_secret().reveal()).verify(callback.body, callback.headers)


async def test_the_delivery_log_shows_the_attempt(wicc: Wicc, receiver: Receiver) -> None:
    endpoint = await create_endpoint(wicc, receiver.url)
    await wicc.put_beds("RNZ-AMU")
    await receiver.wait_for(1)

    async def delivered() -> bool:
        return [d["status"] for d in await deliveries(wicc, endpoint["id"])] == ["delivered"]

    await until(delivered, what="the delivery to be recorded")
    [delivery] = await deliveries(wicc, endpoint["id"])
    assert delivery["attempts"] == 1
    assert delivery["response_code"] == 204
    assert delivery["reason"] == "http_204"
    assert delivery["latency_ms"] > 0
    detail = await wicc.client.get(
        f"{ENDPOINTS}/{endpoint['id']}/deliveries/{delivery['id']}", headers=wicc.auth()
    )
    [attempt] = detail.json()["attempts_made"]
    assert attempt["outcome"] == "delivered"
    assert attempt["status_code"] == 204


async def test_a_test_callback_reaches_that_endpoint_alone(wicc: Wicc, receiver: Receiver) -> None:
    other = await Receiver().start()
    try:
        tested = await create_endpoint(wicc, receiver.url, event_types=["sitrep.missed"])
        everything = await create_endpoint(wicc, other.url, event_types=["*"])
        response = await wicc.client.post(f"{ENDPOINTS}/{tested['id']}/test", headers=wicc.auth())
        assert response.status_code == 202, response.text

        [callback] = await receiver.wait_for(1)
        event = callback.verified(tested["secret"])
        assert event["type"] == "webhook.tested"
        assert event["id"] == response.json()["event_id"] == callback.id
        assert event["data"]["endpoint_id"] == tested["id"]
        # An event after the test reaches the other endpoint; the test never did (events
        # are fanned out in the log's order, so it would have been queued first).
        await wicc.put_beds("RNZ-AMU")
        [later] = await other.wait_for(1)
        assert later.verified(everything["secret"])["type"] == "beds.updated"
        queued = await deliveries(wicc, everything["id"])
        assert [d["event_type"] for d in queued] == ["beds.updated"]
    finally:
        await other.stop()


async def test_a_rotated_secret_and_the_old_one_both_sign_during_the_overlap(
    wicc: Wicc, receiver: Receiver
) -> None:
    now = datetime.now(UTC)
    set_clock(wicc, now)
    endpoint = await create_endpoint(wicc, receiver.url)
    rotated = await wicc.client.post(
        f"{ENDPOINTS}/{endpoint['id']}/rotate-secret", headers=wicc.auth()
    )
    assert rotated.status_code == 200, rotated.text
    new = rotated.json()["secret"]
    assert new != endpoint["secret"]
    assert rotated.json()["previous_secret_until"] == _iso(now + timedelta(hours=24))

    await wicc.put_beds("RNZ-AMU", occupied=10, as_of=now - timedelta(minutes=2))
    [during] = await receiver.wait_for(1)
    assert len(during.headers["webhook-signature"].split()) == 2
    assert during.verified(new) == during.verified(endpoint["secret"])

    set_clock(wicc, now + timedelta(hours=24, seconds=1))
    await wicc.put_beds("RNZ-AMU", occupied=11, as_of=now - timedelta(minutes=1))
    [_, after] = await receiver.wait_for(2)
    assert after.verified(new)["data"]["occupied"] == 11
    with pytest.raises(WebhookVerificationError):
        after.verified(endpoint["secret"])


def _iso(moment: datetime) -> str:
    return moment.isoformat().replace("+00:00", "Z")


async def test_finished_deliveries_are_purged_after_the_retention(
    wicc: Wicc, receiver: Receiver
) -> None:
    now = datetime.now(UTC)
    set_clock(wicc, now)
    endpoint = await create_endpoint(wicc, receiver.url)
    await wicc.put_beds("RNZ-AMU", as_of=now - timedelta(minutes=1))
    await receiver.wait_answered(1)

    async def delivered() -> bool:
        return [d["status"] for d in await deliveries(wicc, endpoint["id"])] == ["delivered"]

    await until(delivered, what="the delivery to be recorded")
    scheduler = wicc.runtime.scheduler
    assert scheduler is not None
    purge = wicc.state(FlowState).webhooks.purge
    set_clock(wicc, now + timedelta(days=29))
    assert await scheduler.run_once(purge, force=True)
    assert len(await deliveries(wicc, endpoint["id"])) == 1  # kept for 30 days
    set_clock(wicc, now + timedelta(days=30, minutes=1))
    assert await scheduler.run_once(purge, force=True)
    assert await deliveries(wicc, endpoint["id"]) == []
    assert await fetch(wicc, "SELECT * FROM flow.webhook_attempt") == []
