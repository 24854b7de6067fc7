"""Who may declare and who may act on actions: a coordinator or the trust's own key
declares for the trust; only a system coordinator for the system; a `viewer` never
declares or acknowledges."""

from __future__ import annotations

import datetime as dt

from tests.escalation.opel_api import declare, declared
from tests.support import Wicc, count, set_clock

ORGS = "/escalation/v1/orgs"
SYSTEM = "/escalation/v1/systems/wiltshire/declarations"


async def test_a_trust_key_declares_only_for_its_own_organisation(wicc: Wicc) -> None:
    salisbury = await wicc.key("bed_manager", org="RNZ")
    assert (await declare(wicc, f"{ORGS}/RNZ/declarations", 3, salisbury)).status_code == 201
    for path in (f"{ORGS}/RN3/declarations", SYSTEM):
        refused = await declare(wicc, path, 3, salisbury)
        assert refused.status_code == 403, path
        assert refused.json()["type"] == "urn:wicc:problem:forbidden"
    assert await count(wicc, "SELECT count(*) FROM escalation.opel_declaration") == 1


async def test_coordinators_declare_within_their_scope(wicc: Wicc) -> None:
    system_coordinator = await wicc.key("coordinator", system="wiltshire")
    assert (
        await declare(wicc, f"{ORGS}/RN3/declarations", 2, system_coordinator)
    ).status_code == 201
    assert (await declare(wicc, SYSTEM, 2, system_coordinator)).status_code == 201
    trust_coordinator = await wicc.key("coordinator", org="RN3")
    assert (
        await declare(wicc, f"{ORGS}/RN3/declarations", 3, trust_coordinator)
    ).status_code == 201
    assert (
        await declare(wicc, f"{ORGS}/RD1/declarations", 3, trust_coordinator)
    ).status_code == 403
    assert (await declare(wicc, SYSTEM, 3, trust_coordinator)).status_code == 403
    # A system-wide key that is not a coordinator is not the trust's own key either.
    integration = await wicc.key("integration", system="wiltshire")
    assert (await declare(wicc, f"{ORGS}/RNZ/declarations", 3, integration)).status_code == 403


async def test_a_viewer_cannot_declare_or_acknowledge(wicc: Wicc) -> None:
    set_clock(wicc, dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC))
    viewer = await wicc.key("viewer", system="wiltshire")
    for path in (f"{ORGS}/RNZ/declarations", SYSTEM):
        assert (await declare(wicc, path, 2, viewer)).status_code == 403
    action = (await declared(wicc, f"{ORGS}/RNZ/declarations", 2))["actions_issued"][0]
    for verb, body in (("acknowledge", None), ("complete", {"note": "done"})):
        response = await wicc.client.post(
            f"/escalation/v1/actions/{action['id']}/{verb}", json=body, headers=wicc.auth(viewer)
        )
        assert response.status_code == 403, verb
    # Reading is for every key.
    assert (await wicc.client.get(f"{ORGS}/RNZ/opel", headers=wicc.auth(viewer))).status_code == 200
    assert (
        await count(wicc, "SELECT count(*) FROM escalation.opel_action WHERE status <> 'issued'")
        == 0
    )


async def test_only_keys_with_a_stake_act_on_an_action(wicc: Wicc) -> None:
    set_clock(wicc, dt.datetime(2026, 11, 23, 10, tzinfo=dt.UTC))
    action = (await declared(wicc, f"{ORGS}/RNZ/declarations", 2))["actions_issued"][0]
    path = f"/escalation/v1/actions/{action['id']}/acknowledge"
    bath = await wicc.key("bed_manager", org="RD1")
    assert (await wicc.client.post(path, headers=wicc.auth(bath))).status_code == 403
    salisbury = await wicc.key("bed_manager", org="RNZ")
    assert (await wicc.client.post(path, headers=wicc.auth(salisbury))).status_code == 200
    no_key = await wicc.client.post(path)
    assert no_key.status_code == 401
