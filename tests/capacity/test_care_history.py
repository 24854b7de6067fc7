"""Care-package capacity over time: ordering, retries, history and audit."""

from __future__ import annotations

import asyncio
import json
import random
from datetime import UTC, datetime, timedelta

import asyncpg
import pytest

from tests.builders.care import category, iso, report
from tests.capacity.care_api import db_counts, field_names, get_json, put
from tests.support import Wicc, plain_url


async def test_retrying_the_same_report_is_safe(wicc: Wicc) -> None:
    body = report("care_home")
    first = await put(wicc, "CP-AVONVALE", body)
    again = await put(wicc, "CP-AVONVALE", body)
    assert first.status_code == again.status_code == 200
    assert first.json()["items"] == [
        i | {"age_seconds": pytest.approx(i["age_seconds"], abs=5)} for i in again.json()["items"]
    ]
    assert {i["version"] for i in again.json()["items"]} == {1}
    assert await db_counts(wicc) == {"current": 2, "history": 2, "events": 1, "audit": 1}


async def test_an_older_or_conflicting_report_is_409_and_changes_nothing(wicc: Wicc) -> None:
    now = datetime.now(UTC)
    newer = report("dom_care", as_of=now - timedelta(minutes=5))
    assert (await put(wicc, "CP-HTLAH-N", newer)).status_code == 200
    before = await db_counts(wicc)

    older = report(
        "dom_care",
        as_of=now - timedelta(hours=1),
        package_starts_per_day=9,
        spare_hours_per_week=1.0,
    )
    response = await put(wicc, "CP-HTLAH-N", older)
    assert response.status_code == 409
    assert response.json()["type"] == "urn:wicc:problem:stale-update"
    recorded = datetime.fromisoformat(response.json()["current_as_of"])
    assert recorded == datetime.fromisoformat(newer["as_of"])

    conflicting = newer | {"package_starts_per_day": 9}
    assert (await put(wicc, "CP-HTLAH-N", conflicting)).status_code == 409
    assert await db_counts(wicc) == before
    current = await get_json(wicc, "/capacity/v1/providers/CP-HTLAH-N/capacity")
    assert current["items"][0]["package_starts_per_day"] == 3


async def test_rejected_reports_change_nothing_and_emit_nothing(wicc: Wicc) -> None:
    assert (await put(wicc, "CP-DOWNLAND", report("care_home"))).status_code == 200
    before = await db_counts(wicc)
    bad = [category("nursing", 1, 1, 1, 1)]
    assert (await put(wicc, "CP-DOWNLAND", report("care_home", categories=bad))).status_code == 422
    assert (await put(wicc, "CP-DOWNLAND", report("dom_care"))).status_code == 422
    assert await db_counts(wicc) == before


async def test_a_care_homes_report_is_its_whole_picture(wicc: Wicc) -> None:
    now = datetime.now(UTC)
    two = [category("nursing", 10, 8, 0, 2), category("residential", 6, 6, 0, 0)]
    one = [category("nursing", 10, 9, 0, 1)]
    for minutes, categories in ((30, two), (10, one)):
        body = report("care_home", as_of=now - timedelta(minutes=minutes), categories=categories)
        assert (await put(wicc, "CP-AVONVALE", body)).status_code == 200

    current = await get_json(wicc, "/capacity/v1/providers/CP-AVONVALE/capacity")
    assert [(i["category"], i["beds_occupied"], i["version"]) for i in current["items"]] == [
        ("nursing", 9, 2)
    ]
    history = await get_json(wicc, "/capacity/v1/providers/CP-AVONVALE/capacity/history")
    assert history["total"] == 3
    assert {h["category"] for h in history["items"]} == {"nursing", "residential"}


async def test_history_keeps_every_accepted_report_newest_first(wicc: Wicc) -> None:
    now = datetime.now(UTC).replace(microsecond=0)
    times = [now - timedelta(hours=h) for h in (5, 3, 1)]
    for n, as_of in enumerate(times):
        body = report("dom_care", as_of=as_of, package_starts_per_day=n, spare_hours_per_week=10.0)
        assert (await put(wicc, "CP-HTLAH-S", body)).status_code == 200
    path = "/capacity/v1/providers/CP-HTLAH-S/capacity/history"

    everything = await get_json(wicc, path, service="dom_care")
    assert everything["total"] == 3
    assert [h["package_starts_per_day"] for h in everything["items"]] == [2, 1, 0]
    assert all(h["reported_by"] == "bootstrap-admin" for h in everything["items"])

    window = await get_json(wicc, path, **{"from": iso(times[1]), "to": iso(times[2])})
    assert [h["package_starts_per_day"] for h in window["items"]] == [2, 1]
    second = await get_json(wicc, path, limit=1, offset=1)
    assert second["total"] == 3 and second["items"][0]["package_starts_per_day"] == 1
    assert (await get_json(wicc, path, service="care_home"))["total"] == 0

    reversed_range = {"from": iso(times[2]), "to": iso(times[0])}
    response = await wicc.client.get(path, params=reversed_range, headers=wicc.auth())
    assert field_names(response) == {"from"}


async def test_accepted_reports_are_audited(wicc: Wicc) -> None:
    token = await wicc.key("integration", org="CP-UCAH")
    now = datetime.now(UTC)
    for minutes, slots in ((20, 4), (10, 7)):
        body = report("urgent_care_at_home", as_of=now - timedelta(minutes=minutes), slots=slots)
        assert (await put(wicc, "CP-UCAH", body, token=token)).status_code == 200
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        audit = await conn.fetch(
            "SELECT actor_role, org_ods, action, entity_id, before, after FROM kernel.audit_log "
            "WHERE entity_type = 'care_capacity' ORDER BY id"
        )
    finally:
        await conn.close()
    assert [(a["actor_role"], a["org_ods"], a["action"]) for a in audit] == [
        ("integration", "CP-UCAH", "care_capacity.updated")
    ] * 2
    assert audit[0]["entity_id"] == "CP-UCAH/urgent_care_at_home"
    assert json.loads(audit[0]["before"] or "null") is None  # first report: nothing before
    assert json.loads(audit[1]["before"])["figures"] == {"all": {"slots": 4}}
    assert json.loads(audit[1]["after"])["figures"] == {"all": {"slots": 7}}


async def test_concurrent_reports_never_mix_one_care_homes_categories(wicc: Wicc) -> None:
    now = datetime.now(UTC)
    names = ["nursing", "residential", "short_stay", "mental_health", "nursing_dementia"]
    bodies = [
        report(
            "care_home",
            as_of=now - timedelta(minutes=20 - n),
            categories=[category(c, 10 + n, n, 0, 1) for c in names[: 1 + n % len(names)]],
        )
        for n in range(12)
    ]
    random.Random(5).shuffle(bodies)
    responses = await asyncio.gather(*(put(wicc, "CP-RIDGEWAY", b) for b in bodies))
    assert {r.status_code for r in responses} <= {200, 409}
    newest = max(bodies, key=lambda b: b["as_of"])
    current = await get_json(wicc, "/capacity/v1/providers/CP-RIDGEWAY/capacity")
    assert [(i["category"], i["beds_max"]) for i in current["items"]] == sorted(
        (c["category"], c["max"]) for c in newest["categories"]
    )
    accepted = sum(r.status_code == 200 for r in responses)
    assert {i["version"] for i in current["items"]} == {accepted}
