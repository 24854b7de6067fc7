"""PUT /capacity/v1/units/{unit_id}/beds: scope, validation, ordering, retries, audit."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support import Wicc, bed_figures, plain_url

PROBLEM = "application/problem+json"


def field_names(response: httpx.Response) -> set[str]:
    assert response.headers["content-type"] == PROBLEM
    return {e["field"] for e in response.json()["errors"]}


async def test_bed_manager_of_one_trust_cannot_update_another(wicc: Wicc) -> None:
    salisbury = await wicc.key("bed_manager", org="RNZ")
    assert (await wicc.put_beds("RNZ-AMU", token=salisbury)).status_code == 200

    response = await wicc.put_beds("RN3-AMU", token=salisbury)
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:wicc:problem:forbidden"
    assert "RN3" in response.json()["detail"]


async def test_system_scoped_coordinator_can_update_any_trust_in_the_system(wicc: Wicc) -> None:
    coordinator = await wicc.key("coordinator", system="wiltshire")
    for unit in ("RNZ-AMU", "RN3-AMU", "RD1-AMU"):
        assert (await wicc.put_beds(unit, token=coordinator)).status_code == 200


async def test_viewer_cannot_write(wicc: Wicc) -> None:
    viewer = await wicc.key("viewer", org="RNZ")
    response = await wicc.put_beds("RNZ-AMU", token=viewer)
    assert response.status_code == 403
    assert (
        await wicc.client.get("/capacity/v1/units/RNZ-AMU/beds", headers=wicc.auth(viewer))
    ).status_code == 200


@pytest.mark.parametrize("token", [None, "wicc_not-a-real-key"])
async def test_missing_or_unknown_key_is_401(wicc: Wicc, token: str | None) -> None:
    response = await wicc.put_beds("RNZ-AMU", token=token)
    assert response.status_code == 401
    assert response.headers["content-type"] == PROBLEM
    assert response.headers["www-authenticate"] == "Bearer"


async def test_revoked_key_is_401(wicc: Wicc) -> None:
    token = await wicc.key("bed_manager", org="RNZ")
    keys = (await wicc.client.get("/flow/v1/admin/api-keys", headers=wicc.auth())).json()
    key_id = next(k["id"] for k in keys["items"] if token.startswith(k["token_prefix"]))
    revoked = await wicc.client.delete(f"/flow/v1/admin/api-keys/{key_id}", headers=wicc.auth())
    assert revoked.status_code == 200 and revoked.json()["revoked_at"]
    assert (await wicc.put_beds("RNZ-AMU", token=token)).status_code == 401


@pytest.mark.parametrize(
    ("overrides", "field"),
    [
        ({"core_open": -1}, "core_open"),
        ({"escalation_open": -3}, "escalation_open"),
        ({"occupied": -1}, "occupied"),
        ({"core_open": 10, "escalation_open": 0, "occupied": 11}, "occupied"),
        ({"closed": [{"reason": "staffing", "count": -2}]}, "closed.0.count"),
        ({"closed": [{"reason": "aliens", "count": 2}]}, "closed.0.reason"),
        ({"as_of": "2026-01-01T08:00:00"}, "as_of"),  # no offset: ambiguous
        ({"core_open": "twenty"}, "core_open"),
    ],
)
async def test_bad_figures_are_422_naming_the_field(
    wicc: Wicc, overrides: dict[str, Any], field: str
) -> None:
    response = await wicc.put_beds("RNZ-AMU", **overrides)
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:wicc:problem:validation-error"
    assert field in field_names(response)


async def test_future_as_of_is_422(wicc: Wicc) -> None:
    response = await wicc.put_beds("RNZ-AMU", as_of=datetime.now(UTC) + timedelta(hours=1))
    assert response.status_code == 422
    assert field_names(response) == {"as_of"}


async def test_unknown_field_is_422(wicc: Wicc) -> None:
    response = await wicc.put_beds("RNZ-AMU", ocupied=3)
    assert response.status_code == 422
    assert "ocupied" in field_names(response)


async def test_unknown_unit_is_404(wicc: Wicc) -> None:
    response = await wicc.put_beds("NOWHERE-1")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:wicc:problem:not-found"


async def test_rejected_writes_change_nothing_and_emit_nothing(wicc: Wicc) -> None:
    assert (await wicc.put_beds("RNZ-AMU", occupied=7)).status_code == 200
    before = await _db_counts(wicc)
    assert (await wicc.put_beds("RNZ-AMU", occupied=-1)).status_code == 422
    assert (await wicc.put_beds("RNZ-AMU", core_open=1, escalation_open=0)).status_code == 422
    assert await _db_counts(wicc) == before
    current = await wicc.client.get("/capacity/v1/units/RNZ-AMU/beds", headers=wicc.auth())
    assert current.json()["occupied"] == 7


async def test_older_as_of_does_not_overwrite_newer_state(wicc: Wicc) -> None:
    now = datetime.now(UTC)
    newer = await wicc.put_beds("RNZ-AMU", occupied=15, as_of=now - timedelta(minutes=5))
    assert newer.status_code == 200
    older = await wicc.put_beds("RNZ-AMU", occupied=3, as_of=now - timedelta(minutes=30))
    assert older.status_code == 409
    assert older.json()["type"] == "urn:wicc:problem:stale-update"
    current = await wicc.client.get("/capacity/v1/units/RNZ-AMU/beds", headers=wicc.auth())
    assert current.json()["occupied"] == 15


async def test_retrying_the_same_report_is_safe(wicc: Wicc) -> None:
    body = bed_figures(occupied=12)
    first = await wicc.client.put("/capacity/v1/units/RNZ-AMU/beds", json=body, headers=wicc.auth())
    again = await wicc.client.put("/capacity/v1/units/RNZ-AMU/beds", json=body, headers=wicc.auth())
    assert first.status_code == again.status_code == 200
    assert first.json()["version"] == again.json()["version"] == 1
    counts = await _db_counts(wicc)
    assert counts["history"] == 1 and counts["events"] == 1


async def test_same_as_of_with_different_figures_is_409(wicc: Wicc) -> None:
    as_of = datetime.now(UTC) - timedelta(minutes=2)
    assert (await wicc.put_beds("RNZ-AMU", occupied=5, as_of=as_of)).status_code == 200
    assert (await wicc.put_beds("RNZ-AMU", occupied=6, as_of=as_of)).status_code == 409


async def test_accepted_write_is_stored_with_history_and_audited(wicc: Wicc) -> None:
    token = await wicc.key("bed_manager", org="RNZ")
    now = datetime.now(UTC)
    for minutes, occupied in ((20, 10), (10, 12)):
        response = await wicc.put_beds(
            "RNZ-AMU", token=token, occupied=occupied, as_of=now - timedelta(minutes=minutes)
        )
        assert response.status_code == 200
    body = response.json()
    assert body["occupied"] == 12 and body["open"] == 22 and body["available"] == 10
    assert body["occupancy_pct"] == pytest.approx(54.5)
    assert body["version"] == 2 and body["age_seconds"] >= 600

    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        audit = await conn.fetch(
            "SELECT actor, actor_role, org_ods, before, after FROM kernel.audit_log "
            "WHERE entity_id = 'RNZ-AMU' ORDER BY id"
        )
        history = await conn.fetchval(
            "SELECT count(*) FROM capacity.bed_state_history WHERE unit_id = 'RNZ-AMU'"
        )
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("UPDATE kernel.audit_log SET actor = 'someone else'")
        with pytest.raises(asyncpg.RaiseError, match="append-only"):
            await conn.execute("DELETE FROM kernel.audit_log")
    finally:
        await conn.close()
    assert history == 2
    assert [r["actor_role"] for r in audit] == ["bed_manager", "bed_manager"]
    assert {r["org_ods"] for r in audit} == {"RNZ"}
    assert '"occupied": 10' in audit[1]["before"] and '"occupied": 12' in audit[1]["after"]


async def _db_counts(wicc: Wicc) -> dict[str, int]:
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        return {
            "history": await conn.fetchval("SELECT count(*) FROM capacity.bed_state_history"),
            "events": await conn.fetchval("SELECT count(*) FROM capacity.outbox"),
            "audit": await conn.fetchval(
                "SELECT count(*) FROM kernel.audit_log WHERE entity_type = 'unit'"
            ),
        }
    finally:
        await conn.close()
