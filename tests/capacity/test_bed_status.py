"""PUT /capacity/v1/units/{unit_id}/bed-status/{bed_id}: HL7 v2-0116 bed status, with
the unit's counts following its beds atomically."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support import ADMIN_TOKEN, Wicc, plain_url

PROBLEM = "application/problem+json"
UNIT = "RNZ-MED-A"


def moment(minutes_ago: float) -> str:
    return (datetime.now(UTC) - timedelta(minutes=minutes_ago)).isoformat()


async def put_bed(
    wicc: Wicc,
    bed_id: str,
    status: str,
    *,
    as_of: str | None = None,
    escalation: bool = False,
    unit: str = UNIT,
    token: str | None = ADMIN_TOKEN,
) -> httpx.Response:
    body = {"status": status, "escalation": escalation, "as_of": as_of or moment(1)}
    return await wicc.client.put(
        f"/capacity/v1/units/{unit}/bed-status/{bed_id}", json=body, headers=wicc.auth(token)
    )


async def unit_beds(wicc: Wicc, unit: str = UNIT) -> dict[str, Any]:
    response = await wicc.client.get(f"/capacity/v1/units/{unit}/beds", headers=wicc.auth())
    assert response.status_code == 200
    body: dict[str, Any] = response.json()
    return body


async def fetch(wicc: Wicc, query: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        return list(await conn.fetch(query, *args))
    finally:
        await conn.close()


def recount(beds: list[asyncpg.Record]) -> dict[str, Any]:
    """The documented mapping, applied independently to the stored bed rows."""
    by = Counter((b["status"], b["escalation"]) for b in beds)
    open_core = sum(n for (s, esc), n in by.items() if s in "OUH" and not esc)
    open_esc = sum(n for (s, esc), n in by.items() if s in "OUH" and esc)
    occupied = sum(n for (s, _), n in by.items() if s in "OH")
    infection = sum(n for (s, _), n in by.items() if s in "IK")
    other = sum(n for (s, _), n in by.items() if s == "C")
    closed = [
        {"reason": r, "count": n}
        for r, n in (("infection_control", infection), ("other", other))
        if n
    ]
    return {
        "core_open": open_core,
        "escalation_open": open_esc,
        "occupied": occupied,
        "closed": closed,
    }


async def test_statuses_map_to_unit_counts(wicc: Wicc) -> None:
    for bed, status, escalation in [
        ("B1", "O", False),
        ("B2", "U", False),
        ("B3", "H", False),
        ("B4", "I", False),
        ("B5", "K", False),
        ("B6", "C", False),
        ("E1", "U", True),
        ("E2", "O", True),
    ]:
        response = await put_bed(wicc, bed, status, escalation=escalation)
        assert response.status_code == 200, response.text

    body = response.json()
    assert body["bed"] == body["bed"] | {"unit_id": UNIT, "bed_id": "E2", "status": "O"}
    assert body["beds_by_status"] == {"C": 1, "H": 1, "I": 1, "K": 1, "O": 2, "U": 2}
    unit = await unit_beds(wicc)
    assert unit == body["unit"] | {"age_seconds": unit["age_seconds"]}
    assert unit["core_open"] == 3  # O, U, H
    assert unit["escalation_open"] == 2
    assert unit["occupied"] == 3  # O, O and H (being cleaned: not available)
    assert unit["available"] == 2  # the two U beds
    assert unit["closed"] == [
        {"reason": "infection_control", "count": 2},
        {"reason": "other", "count": 1},
    ]
    assert unit["version"] == 8


async def test_a_bed_changes_state_without_being_counted_twice(wicc: Wicc) -> None:
    assert (await put_bed(wicc, "B1", "O", as_of=moment(30))).status_code == 200
    assert (await put_bed(wicc, "B2", "U", as_of=moment(30))).status_code == 200
    moved = await put_bed(wicc, "B1", "K", as_of=moment(10))
    assert moved.status_code == 200
    unit = moved.json()["unit"]
    assert (unit["core_open"], unit["occupied"], unit["closed_total"]) == (1, 0, 1)
    beds = await fetch(wicc, "SELECT bed_id FROM capacity.bed WHERE unit_id = $1", UNIT)
    assert sorted(b["bed_id"] for b in beds) == ["B1", "B2"]
    # The unit's figure describes its newest bed report.
    assert datetime.fromisoformat(unit["as_of"]) == datetime.fromisoformat(
        moved.json()["bed"]["as_of"]
    )


async def test_retry_is_safe_and_older_or_conflicting_reports_are_409(wicc: Wicc) -> None:
    as_of = moment(5)
    first = await put_bed(wicc, "B1", "O", as_of=as_of)
    again = await put_bed(wicc, "B1", "O", as_of=as_of)
    assert first.status_code == again.status_code == 200
    assert first.json()["unit"]["version"] == again.json()["unit"]["version"] == 1

    conflicting = await put_bed(wicc, "B1", "U", as_of=as_of)
    older = await put_bed(wicc, "B1", "U", as_of=moment(50))
    for response in (conflicting, older):
        assert response.status_code == 409
        assert response.headers["content-type"] == PROBLEM
        assert response.json()["type"] == "urn:wicc:problem:stale-update"
        assert datetime.fromisoformat(response.json()["current_as_of"]) == datetime.fromisoformat(
            as_of
        )
    assert (await unit_beds(wicc))["occupied"] == 1
    counts = await db_counts(wicc)
    assert counts == {
        "history": 1,
        "events": 1,
        "bed_events": 1,
        "unit_audit": 1,
        "bed_audit": 1,
    }


async def test_accepted_change_is_audited_kept_in_history_and_announced(wicc: Wicc) -> None:
    token = await wicc.key("bed_manager", org="RNZ")
    assert (await put_bed(wicc, "B1", "U", as_of=moment(20), token=token)).status_code == 200
    assert (await put_bed(wicc, "B1", "I", as_of=moment(10), token=token)).status_code == 200

    audit = await fetch(
        wicc,
        "SELECT entity_id, actor_role, org_ods, before, after FROM kernel.audit_log "
        "WHERE entity_type = 'bed' ORDER BY id",
    )
    assert [a["entity_id"] for a in audit] == [f"{UNIT}/B1", f"{UNIT}/B1"]
    assert audit[0]["before"] in (None, "null")  # a new bed has no before
    assert '"status": "U"' in audit[0]["after"]
    assert '"status": "U"' in audit[1]["before"] and '"status": "I"' in audit[1]["after"]
    assert {a["actor_role"] for a in audit} == {"bed_manager"}
    events = await fetch(wicc, "SELECT type, subject FROM capacity.outbox ORDER BY id")
    # Each change announces the bed, then its unit's recounted figure, in that order.
    assert [(e["type"], e["subject"]) for e in events] == [
        ("bed_status.updated", f"units/{UNIT}/beds/B1"),
        ("beds.updated", f"units/{UNIT}"),
    ] * 2
    history = await wicc.client.get(f"/capacity/v1/units/{UNIT}/beds/history", headers=wicc.auth())
    assert [i["closed_total"] for i in history.json()["items"]] == [1, 0]


async def test_unit_level_reports_are_refused_once_a_unit_reports_by_bed(wicc: Wicc) -> None:
    assert (await wicc.put_beds(UNIT, as_of=datetime.now(UTC) - timedelta(hours=1))).is_success
    assert (await put_bed(wicc, "B1", "O")).status_code == 200
    unit = await unit_beds(wicc)
    assert (unit["open"], unit["occupied"], unit["closed"]) == (1, 1, [])  # counted from beds now

    refused = await wicc.put_beds(UNIT)
    assert refused.status_code == 409
    assert refused.headers["content-type"] == PROBLEM
    assert refused.json()["type"] == "urn:wicc:problem:bed-level-unit"
    assert (await unit_beds(wicc))["open"] == 1
    assert (await wicc.put_beds("RNZ-MED-B")).status_code == 200  # other units unaffected


async def test_bed_list_shows_current_statuses(wicc: Wicc) -> None:
    for bed, status in (("B2", "U"), ("B1", "O"), ("B3", "C")):
        assert (await put_bed(wicc, bed, status)).status_code == 200
    response = await wicc.client.get(
        f"/capacity/v1/units/{UNIT}/bed-status", params={"limit": 2}, headers=wicc.auth()
    )
    body = response.json()
    assert body["total"] == 3
    assert [(b["bed_id"], b["status"]) for b in body["items"]] == [("B1", "O"), ("B2", "U")]
    assert all(b["age_seconds"] >= 0 for b in body["items"])
    missing = await wicc.client.get("/capacity/v1/units/NOWHERE/bed-status", headers=wicc.auth())
    assert missing.status_code == 404


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"status": "X", "as_of": "2026-01-01T08:00:00Z"}, "status"),
        ({"status": "o", "as_of": "2026-01-01T08:00:00Z"}, "status"),
        ({"status": "O", "as_of": "2026-01-01T08:00:00"}, "as_of"),
        ({"status": "O"}, "as_of"),
        ({"status": "O", "as_of": "2026-01-01T08:00:00Z", "escalation": "maybe"}, "escalation"),
        ({"status": "O", "as_of": "2026-01-01T08:00:00Z", "colour": "red"}, "colour"),
        ({"status": "O", "as_of": (datetime.now(UTC) + timedelta(hours=1)).isoformat()}, "as_of"),
    ],
)
async def test_bad_bed_status_is_422_naming_the_field(
    wicc: Wicc, body: dict[str, Any], field: str
) -> None:
    response = await wicc.client.put(
        f"/capacity/v1/units/{UNIT}/bed-status/B1", json=body, headers=wicc.auth()
    )
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert field in {e["field"] for e in response.json()["errors"]}
    assert await fetch(wicc, "SELECT 1 FROM capacity.bed") == []


async def test_bad_bed_id_unknown_unit_and_wrong_scope(wicc: Wicc) -> None:
    bad_id = await put_bed(wicc, "-bed", "O")
    assert bad_id.status_code == 422
    assert {e["field"] for e in bad_id.json()["errors"]} == {"bed_id"}
    assert (await put_bed(wicc, "B" * 61, "O")).status_code == 422
    assert (await put_bed(wicc, "B1", "O", unit="NOWHERE-1")).status_code == 404
    other_trust = await wicc.key("bed_manager", org="RN3")
    assert (await put_bed(wicc, "B1", "O", token=other_trust)).status_code == 403
    viewer = await wicc.key("viewer", org="RNZ")
    assert (await put_bed(wicc, "B1", "O", token=viewer)).status_code == 403
    assert (await put_bed(wicc, "B1", "O", token=None)).status_code == 401
    assert await fetch(wicc, "SELECT 1 FROM capacity.bed") == []


async def test_concurrent_updates_keep_unit_counts_equal_to_its_beds(wicc: Wicc) -> None:
    rng = random.Random(7)
    base = datetime.now(UTC) - timedelta(hours=2)
    jobs: list[tuple[str, str, bool, datetime]] = []
    for b in range(12):
        for step in range(3):  # three reports per bed, sent in shuffled order
            status = rng.choice("CHIKOU")
            jobs.append((f"B{b:02d}", status, rng.random() < 0.2, base + timedelta(minutes=step)))
    same = (base + timedelta(minutes=5)).isoformat()
    rng.shuffle(jobs)

    responses = await asyncio.gather(
        *(put_bed(wicc, bed, s, as_of=t.isoformat(), escalation=e) for bed, s, e, t in jobs),
        *(put_bed(wicc, "SAME", "O", as_of=same) for _ in range(10)),  # one bed, many retries
    )
    assert {r.status_code for r in responses} <= {200, 409}, [r.text for r in responses]
    assert all(r.json()["type"].endswith("stale-update") for r in responses if r.status_code == 409)
    assert all(r.status_code == 200 for r in responses[len(jobs) :])

    beds = await fetch(
        wicc, "SELECT bed_id, status, escalation FROM capacity.bed WHERE unit_id = $1", UNIT
    )
    assert len(beds) == len({b["bed_id"] for b in beds}) == 13  # each bed once, one state
    newest = {}
    for bed, status, escalation, _ in sorted(jobs, key=lambda j: j[3]):
        newest[bed] = (status, escalation)  # the newest report always wins
    assert {b["bed_id"]: (b["status"], b["escalation"]) for b in beds} == newest | {
        "SAME": ("O", False)
    }

    unit = await unit_beds(wicc)
    assert {k: unit[k] for k in ("core_open", "escalation_open", "occupied", "closed")} == recount(
        beds
    )
    assert unit["open"] + unit["closed_total"] == 13
    history = await fetch(
        wicc,
        "SELECT core_open, escalation_open, occupied, closed FROM capacity.bed_state_history "
        "WHERE unit_id = $1 ORDER BY id",
        UNIT,
    )
    counts = await db_counts(wicc)
    # One history row, event and unit version per accepted change; retries add none.
    assert counts["history"] == counts["events"] == counts["bed_audit"] == unit["version"]
    assert counts["bed_events"] == counts["bed_audit"]
    accepted = sum(1 for r in responses if r.status_code == 200)
    assert unit["version"] <= accepted
    last = history[-1]
    assert (last["core_open"], last["escalation_open"], last["occupied"]) == (
        unit["core_open"],
        unit["escalation_open"],
        unit["occupied"],
    )


async def test_unit_level_and_first_bed_level_reports_racing_never_mix(wicc: Wicc) -> None:
    for unit in ("RN3-MED-1", "RN3-MED-2", "RD1-AMU", "RD1-SURG", "RD1-STROKE"):
        unit_report, bed_report = await asyncio.gather(
            wicc.put_beds(unit, as_of=datetime.now(UTC) - timedelta(minutes=1)),
            put_bed(wicc, "B1", "U", unit=unit),
        )
        assert bed_report.status_code == 200
        assert unit_report.status_code in (200, 409)
        if unit_report.status_code == 409:
            assert unit_report.json()["type"] == "urn:wicc:problem:bed-level-unit"
        figures = await unit_beds(wicc, unit)
        assert (figures["core_open"], figures["occupied"], figures["closed"]) == (1, 0, [])


async def db_counts(wicc: Wicc) -> dict[str, int]:
    [row] = await fetch(
        wicc,
        "SELECT "
        "(SELECT count(*) FROM capacity.bed_state_history) AS history, "
        "(SELECT count(*) FROM capacity.outbox WHERE type = 'beds.updated') AS events, "
        "(SELECT count(*) FROM capacity.outbox WHERE type = 'bed_status.updated') AS bed_events, "
        "(SELECT count(*) FROM kernel.audit_log WHERE entity_type = 'unit') AS unit_audit, "
        "(SELECT count(*) FROM kernel.audit_log WHERE entity_type = 'bed') AS bed_audit",
    )
    return dict(row)
