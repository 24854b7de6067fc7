"""API keys: issued once, stored hashed, listed without tokens, scoped, revocable."""

from __future__ import annotations

import asyncpg

from tests.support import Wicc, plain_url


async def test_token_is_shown_once_and_stored_only_hashed(wicc: Wicc) -> None:
    created = await wicc.client.post(
        "/flow/v1/admin/api-keys",
        json={"role": "bed_manager", "org": "RNZ", "label": "bureau"},
        headers=wicc.auth(),
    )
    assert created.status_code == 201
    body = created.json()
    token = body["token"]
    assert token.startswith("wicc_")
    assert (body["role"], body["org"], body["system"]) == ("bed_manager", "RNZ", None)

    listed = (await wicc.client.get("/flow/v1/admin/api-keys", headers=wicc.auth())).json()
    assert listed["total"] == 1
    assert "token" not in listed["items"][0]
    assert token not in str(listed)

    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        stored = await conn.fetchrow("SELECT * FROM kernel.api_key")
        audit = await conn.fetchval(
            "SELECT count(*) FROM kernel.audit_log WHERE action = 'api_key.created'"
        )
    finally:
        await conn.close()
    assert token not in str(dict(stored))
    assert len(stored["token_hash"]) == 64
    assert audit == 1
    board = await wicc.client.get("/flow/v1/board", headers=wicc.auth(token))
    assert board.status_code == 200


async def test_only_admins_manage_keys(wicc: Wicc) -> None:
    coordinator = await wicc.key("coordinator", system="wiltshire")
    response = await wicc.client.post(
        "/flow/v1/admin/api-keys", json={"role": "admin"}, headers=wicc.auth(coordinator)
    )
    assert response.status_code == 403
    assert response.headers["content-type"] == "application/problem+json"
    listed = await wicc.client.get("/flow/v1/admin/api-keys", headers=wicc.auth(coordinator))
    assert listed.status_code == 403
    assert (await wicc.client.get("/flow/v1/admin/api-keys")).status_code == 401


async def test_scope_rules_name_the_field(wicc: Wicc) -> None:
    cases = [
        ({"role": "bed_manager"}, "org"),
        ({"role": "bed_manager", "org": "RNZ", "system": "wiltshire"}, "org"),
        ({"role": "bed_manager", "org": "NOPE"}, "org"),
        ({"role": "viewer", "system": "atlantis"}, "system"),
        ({"role": "admin", "org": "RNZ"}, "role"),
        ({"role": "superuser", "org": "RNZ"}, "role"),
    ]
    for body, field in cases:
        response = await wicc.client.post("/flow/v1/admin/api-keys", json=body, headers=wicc.auth())
        assert response.status_code == 422, (body, response.text)
        assert field in {e["field"] for e in response.json()["errors"]}, (body, response.text)


async def test_revoking_twice_is_harmless_and_unknown_key_is_404(wicc: Wicc) -> None:
    await wicc.key("viewer", org="RD1")
    key_id = (await wicc.client.get("/flow/v1/admin/api-keys", headers=wicc.auth())).json()[
        "items"
    ][0]["id"]
    first = await wicc.client.delete(f"/flow/v1/admin/api-keys/{key_id}", headers=wicc.auth())
    second = await wicc.client.delete(f"/flow/v1/admin/api-keys/{key_id}", headers=wicc.auth())
    assert first.json()["revoked_at"] == second.json()["revoked_at"]
    active = (await wicc.client.get("/flow/v1/admin/api-keys", headers=wicc.auth())).json()
    assert active["total"] == 0
    everything = await wicc.client.get(
        "/flow/v1/admin/api-keys?include_revoked=true", headers=wicc.auth()
    )
    assert everything.json()["total"] == 1
    missing = await wicc.client.delete(
        "/flow/v1/admin/api-keys/00000000-0000-0000-0000-000000000000", headers=wicc.auth()
    )
    assert missing.status_code == 404
    bad = await wicc.client.delete("/flow/v1/admin/api-keys/not-a-uuid", headers=wicc.auth())
    assert bad.status_code == 422
