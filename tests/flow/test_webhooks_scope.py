"""Whose endpoints and whose events: an integration key manages only its own scope's
endpoints, and they receive only events its scope may read. An RNZ key never receives
an RN3-only event, whatever its endpoint's filter."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import pytest

from tests.flow.webhook_receiver import Receiver
from tests.flow.webhooks_api import ENDPOINTS, WEBHOOK_SETTINGS, create_endpoint, deliveries
from tests.support import ADMIN_TOKEN, Wicc


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return WEBHOOK_SETTINGS


@pytest.fixture
async def receivers() -> AsyncIterator[tuple[Receiver, Receiver]]:
    rnz, everyone = await Receiver().start(), await Receiver().start()
    yield rnz, everyone
    await rnz.stop()
    await everyone.stop()


async def test_an_rnz_key_never_receives_an_rn3_event(
    wicc: Wicc, receivers: tuple[Receiver, Receiver]
) -> None:
    rnz_receiver, admin_receiver = receivers
    rnz_key = await wicc.key("integration", org="RNZ")
    rnz = await create_endpoint(wicc, rnz_receiver.url, token=rnz_key, event_types=["*"])
    assert rnz["owner"] == {"org": "RNZ", "system": "wiltshire"}
    admin = await create_endpoint(wicc, admin_receiver.url, event_types=["beds.updated"])

    await wicc.put_beds("RN3-AMU", occupied=20)
    await wicc.put_beds("RNZ-AMU", occupied=21)
    await wicc.put_beds("RD1-AMU", occupied=22)

    # The admin's endpoint hears all three; fan-out follows the log's order, so by then
    # the RNZ endpoint has been given everything it ever will of these.
    everything = await admin_receiver.wait_for(3)
    assert {c.verified(admin["secret"])["data"]["org"] for c in everything} == {
        "RN3",
        "RNZ",
        "RD1",
    }
    [only] = await rnz_receiver.wait_for(1)
    assert only.verified(rnz["secret"])["data"]["org"] == "RNZ"
    queued = [d["subject"] for d in await deliveries(wicc, rnz["id"], token=rnz_key)]
    # Fan-out takes a whole read of the log at once, so the OPEL scores recomputed after
    # these reports may already be queued: the care system's is RNZ's to receive too.
    assert "units/RNZ-AMU" in queued
    assert [s for s in queued if "RN3" in s or "RD1" in s] == []


async def test_a_key_may_not_subscribe_outside_its_scope(wicc: Wicc) -> None:
    rnz_key = await wicc.key("integration", org="RNZ")
    for outside in ({"org": "RN3"}, {"system": "elsewhere"}):
        body = {"url": "http://127.0.0.1:9/hooks", "event_types": ["beds.updated"], **outside}
        response = await wicc.client.post(ENDPOINTS, json=body, headers=wicc.auth(rnz_key))
        expected = 403 if "org" in outside else 422  # an unknown system is a bad field
        assert response.status_code == expected, response.text
    wiltshire = {"url": "http://127.0.0.1:9/hooks", "event_types": ["beds.updated"]}
    for own in ({"org": "RNZ"}, {"system": "wiltshire"}):
        response = await wicc.client.post(
            ENDPOINTS, json=wiltshire | own, headers=wicc.auth(rnz_key)
        )
        assert response.status_code == 201, response.text


async def test_keys_manage_only_their_own_scope(wicc: Wicc) -> None:
    rnz_key = await wicc.key("integration", org="RNZ")
    rnz_again = await wicc.key("integration", org="RNZ")
    rn3_key = await wicc.key("integration", org="RN3")
    system_key = await wicc.key("integration", system="wiltshire")
    url = "http://127.0.0.1:9/hooks"
    rnz = await create_endpoint(wicc, url, token=rnz_key)
    rn3 = await create_endpoint(wicc, url, token=rn3_key)
    admin = await create_endpoint(wicc, url)

    async def listed(token: str) -> set[str]:
        response = await wicc.client.get(ENDPOINTS, headers=wicc.auth(token))
        assert response.status_code == 200, response.text
        return {e["id"] for e in response.json()["items"]}

    assert await listed(rnz_key) == await listed(rnz_again) == {rnz["id"]}
    assert await listed(rn3_key) == {rn3["id"]}
    assert await listed(system_key) == {rnz["id"], rn3["id"]}
    assert await listed(ADMIN_TOKEN) == {
        rnz["id"],
        rn3["id"],
        admin["id"],
    }
    for other in (rn3, admin):
        path = f"{ENDPOINTS}/{other['id']}"
        assert (await wicc.client.get(path, headers=wicc.auth(rnz_key))).status_code == 404
        patched = await wicc.client.patch(path, json={"enabled": False}, headers=wicc.auth(rnz_key))
        assert patched.status_code == 404
        deleted = await wicc.client.delete(path, headers=wicc.auth(rnz_key))
        assert deleted.status_code == 404
    gone = await wicc.client.delete(f"{ENDPOINTS}/{rnz['id']}", headers=wicc.auth(rnz_again))
    assert gone.status_code == 204


@pytest.mark.parametrize("role", ["bed_manager", "coordinator", "viewer"])
async def test_other_roles_do_not_manage_webhooks(wicc: Wicc, role: str) -> None:
    token = await wicc.key(role, org="RNZ")
    listed = await wicc.client.get(ENDPOINTS, headers=wicc.auth(token))
    assert listed.status_code == 403
    body = {"url": "http://127.0.0.1:9/hooks", "event_types": ["beds.updated"]}
    created = await wicc.client.post(ENDPOINTS, json=body, headers=wicc.auth(token))
    assert created.status_code == 403
