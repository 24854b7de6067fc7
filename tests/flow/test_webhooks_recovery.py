"""Recovery: retry one delivery, replay what an endpoint's filter matched since a point
of the event log (a sequence number or a time), each with its original `webhook-id`."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.flow.webhook_receiver import Answer, Receiver, always
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


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return WEBHOOK_SETTINGS


async def test_a_failed_delivery_is_retried_with_its_original_id(wicc: Wicc) -> None:
    status = 410
    receiver = await Receiver(lambda _c: Answer(status)).start()
    try:
        created = await create_endpoint(wicc, receiver.url)
        path = f"{ENDPOINTS}/{created['id']}"
        await wicc.put_beds("RNZ-AMU")
        [first] = await receiver.wait_for(1)

        async def failed() -> bool:
            return [d["status"] for d in await deliveries(wicc, created["id"])] == ["failed"]

        await until(failed, what="the delivery to fail")
        [delivery] = await deliveries(wicc, created["id"])
        retry = f"{path}/deliveries/{delivery['id']}/retry"
        refused = await wicc.client.post(retry, headers=wicc.auth())
        assert refused.status_code == 409  # the 410 disabled the endpoint
        assert refused.json()["type"] == "urn:wicc:problem:endpoint-disabled"

        status = 204
        await wicc.client.patch(path, json={"enabled": True}, headers=wicc.auth())
        retried = await wicc.client.post(retry, headers=wicc.auth())
        assert retried.status_code == 202, retried.text
        await receiver.wait_answered(1)
        [_, again] = receiver.callbacks
        assert again.id == first.id
        again.verified(created["secret"])

        async def delivered() -> bool:
            return [d["status"] for d in await deliveries(wicc, created["id"])] == ["delivered"]

        await until(delivered, what="the retry to be recorded")
        twice = await wicc.client.post(retry, headers=wicc.auth())
        assert twice.status_code == 409
        assert twice.json()["type"] == "urn:wicc:problem:delivery-not-retryable"
    finally:
        await receiver.stop()


async def test_a_waiting_delivery_is_retried_now(wicc: Wicc) -> None:
    answers = iter([503, 204])
    receiver = await Receiver(lambda c: always(next(answers))(c)).start()
    try:
        set_clock(wicc, datetime.now(UTC))
        created = await create_endpoint(wicc, receiver.url)
        await wicc.put_beds("RNZ-AMU")
        await receiver.wait_for(1)
        await settled(wicc)
        [waiting] = await deliveries(wicc, created["id"])
        assert waiting["status"] == "pending" and waiting["next_attempt_at"] is not None

        retry = f"{ENDPOINTS}/{created['id']}/deliveries/{waiting['id']}/retry"
        assert (await wicc.client.post(retry, headers=wicc.auth())).status_code == 202
        await receiver.wait_answered(1)  # without moving the clock past its 5 s
    finally:
        await receiver.stop()


async def test_a_replay_resends_what_the_filter_matched_since_a_sequence(
    wicc: Wicc, receiver: Receiver
) -> None:
    now = datetime.now(UTC)
    for n, unit in enumerate(("RNZ-AMU", "RN3-AMU", "RNZ-AMU", "RNZ-MED-A")):
        await wicc.put_beds(unit, occupied=n, as_of=now - timedelta(minutes=10 - n))
    logged = await events_of(wicc, "beds.updated", 4)
    # Created afterwards, by RNZ: it was sent none of them.
    rnz_key = await wicc.key("integration", org="RNZ")
    created = await create_endpoint(wicc, receiver.url, token=rnz_key)
    since = logged[0].seq
    assert since is not None
    response = await wicc.client.post(
        f"{ENDPOINTS}/{created['id']}/replay", json={"since": since}, headers=wicc.auth(rnz_key)
    )
    assert response.status_code == 202, response.text
    assert response.json()["queued"] == 2  # after the first: RNZ-AMU again and RNZ-MED-A
    assert response.json()["complete"] is True

    replayed = await receiver.wait_answered(2)
    expected = [str(e.id) for e in logged[2:]]
    assert sorted(c.id for c in replayed) == sorted(expected)
    assert {c.verified(created["secret"])["data"]["org"] for c in replayed} == {"RNZ"}
    origins = {d["origin"] for d in await deliveries(wicc, created["id"], token=rnz_key)}
    assert origins == {"replay"}


async def test_a_replay_from_a_time(wicc: Wicc, receiver: Receiver) -> None:
    await wicc.put_beds("RNZ-AMU", occupied=1)
    [before] = await events_of(wicc, "beds.updated", 1)
    await wicc.put_beds("RNZ-AMU", occupied=2)
    [_, after] = await events_of(wicc, "beds.updated", 2)
    created = await create_endpoint(wicc, receiver.url)
    midway = before.time + (after.time - before.time) / 2
    response = await wicc.client.post(
        f"{ENDPOINTS}/{created['id']}/replay",
        json={"since": midway.isoformat()},
        headers=wicc.auth(),
    )
    assert response.status_code == 202, response.text
    assert response.json()["queued"] == 1
    [callback] = await receiver.wait_answered(1)
    assert callback.id == str(after.id)


async def test_a_replay_into_a_trimmed_log_is_refused_not_shortened(
    wicc: Wicc, receiver: Receiver
) -> None:
    # Critical-care beds are no OPEL input: the log ends with the last bed report.
    for n in range(3):
        await wicc.put_beds("RNZ-ICU", occupied=n)
    logged = await events_of(wicc, "beds.updated", 3)
    last = logged[-1].seq
    assert last is not None
    await wicc.runtime.redis.xtrim(wicc.settings.event_stream, maxlen=1, approximate=False)
    created = await create_endpoint(wicc, receiver.url)
    replay = f"{ENDPOINTS}/{created['id']}/replay"

    refused = await wicc.client.post(replay, json={"since": 0}, headers=wicc.auth())
    assert refused.status_code == 409
    assert refused.json()["type"] == "urn:wicc:problem:replay-too-old"
    assert refused.json()["oldest_seq"] == last
    old_time = (logged[0].time - timedelta(seconds=1)).isoformat()
    assert (
        await wicc.client.post(replay, json={"since": old_time}, headers=wicc.auth())
    ).status_code == 409

    accepted = await wicc.client.post(replay, json={"since": last - 1}, headers=wicc.auth())
    assert accepted.status_code == 202
    assert accepted.json()["queued"] == 1
    [callback] = await receiver.wait_answered(1)
    assert callback.id == str(logged[-1].id)


async def test_a_replay_needs_an_enabled_endpoint_and_a_valid_since(wicc: Wicc) -> None:
    created = await create_endpoint(wicc, "http://127.0.0.1:9/hooks", enabled=False)
    replay = f"{ENDPOINTS}/{created['id']}/replay"
    disabled = await wicc.client.post(replay, json={"since": 0}, headers=wicc.auth())
    assert disabled.status_code == 409
    await wicc.client.patch(
        f"{ENDPOINTS}/{created['id']}", json={"enabled": True}, headers=wicc.auth()
    )
    for since in (-1, "yesterday", "2026-01-01T00:00:00"):
        bad = await wicc.client.post(replay, json={"since": since}, headers=wicc.auth())
        assert bad.status_code == 422, (since, bad.text)
        assert {e["field"].split(".")[0] for e in bad.json()["errors"]} == {"since"}
    assert (await endpoint(wicc, created["id"]))["enabled"]
