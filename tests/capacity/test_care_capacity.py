"""Care-package capacity through the HTTP API: each service type in its own unit, scope,
ordering and retries, freshness, fresh/stale totals, history and the board."""

from __future__ import annotations

import asyncio
import json
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
from pydantic import ValidationError

from tests.support import ADMIN_TOKEN, Wicc, next_event, next_frame, plain_url
from wicc.app import Settings
from wicc_shared.clock import system_clock
from wicc_shared.kernel.reference import CareServiceType, read_reference_file
from wicc_shared.rules.care_freshness import DEFAULT_CARE_FRESHNESS_HOURS

PROBLEM = "application/problem+json"
WILTSHIRE = Path(__file__).resolve().parents[2] / "reference" / "wiltshire.yaml"
BED_FIGURES = ("beds_max", "beds_occupied", "beds_vacant_reserved", "beds_vacant_accepting")
ALL_FIGURES = ("package_starts_per_day", "spare_hours_per_week", "slots", *BED_FIGURES)

# A demo provider offering each service type (reference/wiltshire.yaml).
PROVIDER = {
    "dom_care": "CP-HTLAH-N",
    "reablement": "CP-REABLE",
    "urgent_care_at_home": "CP-UCAH",
    "intermediate_care_step_up": "WHC",
    "intermediate_care_step_down": "WHC",
    "community_hospital": "WHC",
    "care_home": "CP-AVONVALE",
}


def beds(max_: int, occupied: int, reserved: int, accepting: int) -> dict[str, int]:
    return dict(zip(BED_FIGURES, (max_, occupied, reserved, accepting), strict=True))


def category(name: str, max_: int, occupied: int, reserved: int, accepting: int) -> dict[str, Any]:
    return {
        "category": name,
        "max": max_,
        "occupied": occupied,
        "vacant_reserved": reserved,
        "vacant_accepting": accepting,
    }


FIGURES: dict[str, dict[str, Any]] = {
    "dom_care": {"package_starts_per_day": 3, "spare_hours_per_week": 120.5},
    "reablement": {"package_starts_per_day": 4},
    "urgent_care_at_home": {"slots": 6},
    "intermediate_care_step_up": beds(5, 3, 0, 2),
    "intermediate_care_step_down": beds(20, 17, 1, 2),
    "community_hospital": beds(24, 22, 0, 1),
    "care_home": {
        "categories": [
            category("nursing", 24, 21, 1, 2),
            category("residential_dementia", 10, 8, 0, 2),
        ]
    },
}


def iso(moment: datetime) -> str:
    return moment.isoformat()


def report(
    service_type: str, *, as_of: datetime | str | None = None, **figures: Any
) -> dict[str, Any]:
    """A valid report for the service type; keyword figures replace the defaults."""
    when = as_of or datetime.now(UTC) - timedelta(minutes=1)
    body = {"service_type": service_type, "as_of": when if isinstance(when, str) else iso(when)}
    body.update(figures or FIGURES[service_type])
    return body


async def put(
    wicc: Wicc, provider: str, body: dict[str, Any], token: str | None = ADMIN_TOKEN
) -> httpx.Response:
    return await wicc.client.put(
        f"/capacity/v1/providers/{provider}/capacity", json=body, headers=wicc.auth(token)
    )


async def get_json(wicc: Wicc, path: str, **params: Any) -> dict[str, Any]:
    response = await wicc.client.get(path, params=params, headers=wicc.auth())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


async def care_list(wicc: Wicc, **params: Any) -> dict[str, Any]:
    return await get_json(wicc, "/capacity/v1/care-capacity", limit=500, **params)


def field_names(response: httpx.Response) -> set[str]:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:wicc:problem:validation-error"
    return {e["field"] for e in response.json()["errors"]}


def total(body: dict[str, Any], service: str, locality: str | None, cat: str | None = None) -> Any:
    return next(
        t
        for t in body["totals"]
        if (t["service_type"], t["locality"], t["category"]) == (service, locality, cat)
    )


async def db_counts(wicc: Wicc) -> dict[str, int]:
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        return {
            "current": await conn.fetchval("SELECT count(*) FROM capacity.care_capacity"),
            "history": await conn.fetchval("SELECT count(*) FROM capacity.care_capacity_history"),
            "events": await conn.fetchval(
                "SELECT count(*) FROM capacity.outbox WHERE type = 'care_capacity.updated'"
            ),
            "audit": await conn.fetchval(
                "SELECT count(*) FROM kernel.audit_log WHERE entity_type = 'care_capacity'"
            ),
        }
    finally:
        await conn.close()


# -- each service type in its own unit -----------------------------------------------


@pytest.mark.parametrize("service_type", list(FIGURES))
async def test_each_service_type_is_accepted_in_its_own_unit(wicc: Wicc, service_type: str) -> None:
    as_of = datetime.now(UTC).replace(microsecond=0) - timedelta(minutes=30)
    response = await put(wicc, PROVIDER[service_type], report(service_type, as_of=as_of))
    assert response.status_code == 200, response.text

    items = [i for i in response.json()["items"] if i["service_type"] == service_type]
    if service_type == "care_home":
        sent = {c["category"]: c for c in FIGURES["care_home"]["categories"]}
        assert {i["category"] for i in items} == set(sent)
        for item in items:
            c = sent[item["category"]]
            assert [item[n] for n in BED_FIGURES] == [
                c["max"],
                c["occupied"],
                c["vacant_reserved"],
                c["vacant_accepting"],
            ]
        applicable: tuple[str, ...] = BED_FIGURES
    else:
        (item,) = items
        assert item["category"] is None
        assert {n: item[n] for n in FIGURES[service_type]} == FIGURES[service_type]
        applicable = tuple(FIGURES[service_type])
    for item in items:
        assert all(item[n] is None for n in ALL_FIGURES if n not in applicable)
        assert datetime.fromisoformat(item["as_of"]) == as_of
        limit = timedelta(hours=DEFAULT_CARE_FRESHNESS_HOURS[service_type])
        assert datetime.fromisoformat(item["fresh_until"]) == as_of + limit
        assert item["stale"] is False and item["version"] == 1
        assert 1800 <= item["age_seconds"] < 1800 + 60

    current = await get_json(wicc, f"/capacity/v1/providers/{PROVIDER[service_type]}/capacity")
    stored = [i for i in current["items"] if i["service_type"] == service_type]
    assert [_figures(i) for i in stored] == [_figures(i) for i in items]
    assert service_type in {s["service_type"] for s in current["services"]}


def _figures(item: dict[str, Any]) -> tuple[Any, ...]:
    return (item["category"], *(item[n] for n in ALL_FIGURES), item["as_of"])


@pytest.mark.parametrize(
    ("service_type", "extra", "field"),
    [
        ("dom_care", {"slots": 2}, "slots"),
        ("reablement", {"spare_hours_per_week": 10}, "spare_hours_per_week"),
        ("urgent_care_at_home", {"beds_max": 3}, "beds_max"),
        ("community_hospital", {"package_starts_per_day": 1}, "package_starts_per_day"),
        (
            "intermediate_care_step_down",
            {"categories": FIGURES["care_home"]["categories"]},
            "categories",
        ),
        ("care_home", {"beds_vacant_accepting": 2}, "beds_vacant_accepting"),
    ],
)
async def test_a_figure_in_another_types_unit_is_422_naming_it(
    wicc: Wicc, service_type: str, extra: dict[str, Any], field: str
) -> None:
    body = report(service_type) | extra
    response = await put(wicc, PROVIDER[service_type], body)
    assert field_names(response) == {field}
    (error,) = response.json()["errors"]
    assert error["code"] == "not_applicable" and service_type in error["message"]
    assert await db_counts(wicc) == {"current": 0, "history": 0, "events": 0, "audit": 0}


@pytest.mark.parametrize(
    ("service_type", "missing"),
    [
        ("dom_care", "spare_hours_per_week"),
        ("reablement", "package_starts_per_day"),
        ("urgent_care_at_home", "slots"),
        ("intermediate_care_step_up", "beds_vacant_accepting"),
        ("care_home", "categories"),
    ],
)
async def test_a_missing_figure_is_422_naming_it(
    wicc: Wicc, service_type: str, missing: str
) -> None:
    body = report(service_type)
    del body[missing]
    response = await put(wicc, PROVIDER[service_type], body)
    assert field_names(response) == {missing}
    assert response.json()["errors"][0]["code"] == "missing"


@pytest.mark.parametrize(
    ("categories", "field"),
    [
        ([category("nursing", 10, 8, 1, 2)], "categories.0.max"),
        (
            [category("nursing", 10, 8, 0, 2), category("residential", 5, 5, 1, 0)],
            "categories.1.max",
        ),
        ([category("nursing", 10, -1, 0, 2)], "categories.0.occupied"),
        ([category("nursing", 10, 1, -2, 2)], "categories.0.vacant_reserved"),
        ([category("nursing", -1, 0, 0, 0)], "categories.0.max"),
        ([category("nursing", 10, 1, 0, 2), category("nursing", 4, 1, 0, 1)], "categories"),
        ([category("penthouse", 10, 1, 0, 2)], "categories.0.category"),
        ([], "categories"),
        (
            [{"category": "nursing", "max": 3, "occupied": 1, "vacant_accepting": 1}],
            "categories.0.vacant_reserved",
        ),
        ([category("nursing", 3, 1, 0, 1) | {"vacant": 2}], "categories.0.vacant"),
    ],
)
async def test_care_home_categories_are_cross_checked(
    wicc: Wicc, categories: list[dict[str, Any]], field: str
) -> None:
    response = await put(wicc, "CP-AVONVALE", report("care_home", categories=categories))
    assert field in field_names(response)
    assert (await db_counts(wicc))["current"] == 0


async def test_every_care_home_bed_may_be_accounted_for_exactly(wicc: Wicc) -> None:
    full = [category(c, 10, 7, 1, 2) for c in ("nursing", "short_stay", "mental_health")]
    response = await put(wicc, "CP-AVONVALE", report("care_home", categories=full))
    assert response.status_code == 200, response.text
    assert len(response.json()["items"]) == 3


async def test_bed_service_figures_may_not_exceed_their_maximum(wicc: Wicc) -> None:
    body = report("community_hospital") | beds(10, 9, 1, 1)
    assert field_names(await put(wicc, "WHC", body)) == {"beds_max"}
    body = report("community_hospital") | beds(10, 9, 0, 1)
    assert (await put(wicc, "WHC", body)).status_code == 200


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"as_of": "2026-01-01T08:00:00"}, "as_of"),  # no offset: ambiguous
        ({"package_starts_per_day": -1}, "package_starts_per_day"),
        ({"spare_hours_per_week": "lots"}, "spare_hours_per_week"),
        ({"service_type": "meals_on_wheels"}, "service_type"),
        ({"sapre_hours_per_week": 3}, "sapre_hours_per_week"),
    ],
)
async def test_malformed_reports_are_422_naming_the_field(
    wicc: Wicc, change: dict[str, Any], field: str
) -> None:
    assert field in field_names(await put(wicc, "CP-HTLAH-N", report("dom_care") | change))


async def test_future_as_of_is_422(wicc: Wicc) -> None:
    body = report("dom_care", as_of=datetime.now(UTC) + timedelta(hours=1))
    assert field_names(await put(wicc, "CP-HTLAH-N", body)) == {"as_of"}


async def test_a_service_the_provider_does_not_offer_is_422_naming_service_type(
    wicc: Wicc,
) -> None:
    response = await put(wicc, "CP-AVONVALE", report("dom_care"))
    assert field_names(response) == {"service_type"}
    assert "care_home" in response.json()["errors"][0]["message"]  # what it does offer
    response = await put(wicc, "RNZ", report("community_hospital"))
    assert field_names(response) == {"service_type"}


# -- scope and existence ---------------------------------------------------------------


async def test_a_providers_key_cannot_report_for_another_provider(wicc: Wicc) -> None:
    north = await wicc.key("integration", org="CP-HTLAH-N")
    assert (await put(wicc, "CP-HTLAH-N", report("dom_care"), token=north)).status_code == 200

    response = await put(wicc, "CP-HTLAH-S", report("dom_care"), token=north)
    assert response.status_code == 403
    assert response.headers["content-type"] == PROBLEM
    assert response.json()["type"] == "urn:wicc:problem:forbidden"
    assert "CP-HTLAH-S" in response.json()["detail"]


async def test_viewers_read_but_do_not_write(wicc: Wicc) -> None:
    viewer = await wicc.key("viewer", org="CP-HTLAH-N")
    assert (await put(wicc, "CP-HTLAH-N", report("dom_care"), token=viewer)).status_code == 403
    response = await wicc.client.get(
        "/capacity/v1/providers/CP-HTLAH-N/capacity", headers=wicc.auth(viewer)
    )
    assert response.status_code == 200


async def test_a_system_coordinator_may_report_for_any_provider(wicc: Wicc) -> None:
    coordinator = await wicc.key("coordinator", system="wiltshire")
    for service_type in ("dom_care", "care_home", "community_hospital"):
        response = await put(wicc, PROVIDER[service_type], report(service_type), token=coordinator)
        assert response.status_code == 200, response.text


@pytest.mark.parametrize(
    ("method", "path"),
    [
        ("PUT", "/capacity/v1/providers/CP-NOWHERE/capacity"),
        ("GET", "/capacity/v1/providers/CP-NOWHERE/capacity"),
        ("GET", "/capacity/v1/providers/CP-NOWHERE/capacity/history"),
    ],
)
async def test_an_unknown_provider_is_404(wicc: Wicc, method: str, path: str) -> None:
    body = report("dom_care") if method == "PUT" else None
    response = await wicc.client.request(method, path, json=body, headers=wicc.auth())
    assert response.status_code == 404
    assert response.json()["type"] == "urn:wicc:problem:not-found"


async def test_reading_requires_a_key(wicc: Wicc) -> None:
    response = await wicc.client.get("/capacity/v1/care-capacity")
    assert response.status_code == 401


# -- ordering, retries, history, audit -------------------------------------------------


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


# -- freshness and totals ----------------------------------------------------------------


async def test_a_stale_figure_is_flagged_and_kept_out_of_fresh_totals(wicc: Wicc) -> None:
    now = datetime.now(UTC)
    fresh = report("dom_care", as_of=now - timedelta(hours=1))
    stale = report(
        "dom_care",
        as_of=now - timedelta(hours=13),  # dom care is stale after 12 hours by default
        package_starts_per_day=5,
        spare_hours_per_week=40.25,
    )
    assert (await put(wicc, "CP-HTLAH-N", fresh)).status_code == 200
    assert (await put(wicc, "CP-HTLAH-S", stale)).status_code == 200

    body = await care_list(wicc, service="dom_care")
    flags = {i["provider"]: i["stale"] for i in body["items"]}
    assert flags == {"CP-HTLAH-N": False, "CP-HTLAH-S": True}

    system = total(body, "dom_care", None)
    assert (system["providers"], system["fresh_providers"], system["stale_providers"]) == (2, 1, 1)
    assert system["fresh"]["package_starts_per_day"] == 3
    assert system["fresh"]["spare_hours_per_week"] == 120.5
    assert system["stale"]["package_starts_per_day"] == 5
    assert system["stale"]["spare_hours_per_week"] == 40.25
    assert system["fresh"]["slots"] is None  # not a dom care unit
    south = total(body, "dom_care", "south")
    assert south["fresh"]["package_starts_per_day"] == 0 and south["stale_providers"] == 1

    provider = await get_json(wicc, "/capacity/v1/providers/CP-HTLAH-S/capacity")
    assert provider["items"][0]["stale"] is True  # flagged everywhere it appears


async def test_figures_turn_stale_as_time_passes(wicc: Wicc) -> None:
    assert (await put(wicc, "CP-AVONVALE", report("care_home"))).status_code == 200
    assert (await put(wicc, "CP-HTLAH-W", report("dom_care"))).status_code == 200
    real_now = datetime.now(UTC)
    try:
        wicc.runtime.clock = lambda: real_now + timedelta(hours=13)
        later = await care_list(wicc)
        assert {i["service_type"]: i["stale"] for i in later["items"]} == {
            "care_home": False,
            "dom_care": True,
        }
        wicc.runtime.clock = lambda: real_now + timedelta(hours=25)
        much_later = await care_list(wicc, locality="west")
    finally:
        wicc.runtime.clock = system_clock
    assert all(i["stale"] for i in much_later["items"])
    homes = total(much_later, "care_home", "west")
    assert homes["fresh_providers"] == 0 and homes["stale_providers"] == 1
    assert homes["fresh"]["beds_vacant_accepting"] == 0
    assert homes["stale"]["beds_vacant_accepting"] == 4
    assert homes["oldest_fresh_as_of"] is None
    assert much_later["as_at"].startswith((real_now + timedelta(hours=25)).date().isoformat())


class TestConfiguredFreshness:
    @pytest.fixture
    def settings_overrides(self) -> dict[str, Any]:
        return {"care_freshness_hours": {"care_home": 1.5}}

    async def test_a_configured_limit_applies_to_its_type_only(self, wicc: Wicc) -> None:
        two_hours_ago = datetime.now(UTC) - timedelta(hours=2)
        for service_type in ("care_home", "dom_care"):
            body = report(service_type, as_of=two_hours_ago)
            assert (await put(wicc, PROVIDER[service_type], body)).status_code == 200
        body = await care_list(wicc)
        assert {i["service_type"]: i["stale"] for i in body["items"]} == {
            "care_home": True,
            "dom_care": False,
        }
        home = next(i for i in body["items"] if i["service_type"] == "care_home")
        fresh_until = datetime.fromisoformat(home["fresh_until"])
        assert fresh_until - datetime.fromisoformat(home["as_of"]) == timedelta(hours=1.5)


def test_freshness_limits_are_set_by_json_and_merged_over_the_defaults(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    assert set(DEFAULT_CARE_FRESHNESS_HOURS) == {t.value for t in CareServiceType}
    monkeypatch.setenv("WICC_CARE_FRESHNESS_HOURS", '{"care_home": 48}')
    limits = Settings().care_freshness_hours
    assert limits["care_home"] == 48
    assert {k: v for k, v in limits.items() if k != "care_home"} == {
        k: v for k, v in DEFAULT_CARE_FRESHNESS_HOURS.items() if k != "care_home"
    }
    for bad in ('{"carehome": 48}', '{"dom_care": 0}', '{"dom_care": -3}'):
        monkeypatch.setenv("WICC_CARE_FRESHNESS_HOURS", bad)
        with pytest.raises(ValidationError, match="care_freshness_hours"):
            Settings()


async def test_filters_and_pages(wicc: Wicc) -> None:
    for service_type in FIGURES:
        assert (await put(wicc, PROVIDER[service_type], report(service_type))).status_code == 200
    assert (await put(wicc, "CP-HTLAH-S", report("dom_care"))).status_code == 200

    north = await care_list(wicc, locality="north")
    providers = {(i["provider"], i["service_type"]) for i in north["items"]}
    assert ("CP-HTLAH-N", "dom_care") in providers and ("CP-REABLE", "reablement") in providers
    assert ("CP-HTLAH-S", "dom_care") not in providers  # serves the south only
    assert ("CP-AVONVALE", "care_home") not in providers
    assert all("north" in i["localities"] for i in north["items"])
    assert {t["locality"] for t in north["totals"]} == {"north"}

    homes = await care_list(wicc, service="care_home")
    assert {i["service_type"] for i in homes["items"]} == {"care_home"}
    assert {t["service_type"] for t in homes["totals"]} == {"care_home"}

    everything = await care_list(wicc)
    pages = [
        await get_json(wicc, "/capacity/v1/care-capacity", limit=3, offset=offset)
        for offset in range(0, everything["total"], 3)
    ]
    assert [i for p in pages for i in p["items"]] == [
        i | {"age_seconds": pytest.approx(i["age_seconds"], abs=5)} for i in everything["items"]
    ]
    assert all(p["totals"] == everything["totals"] for p in pages)  # totals are not per page

    for params, field in (({"locality": "east"}, "locality"), ({"service": "spa"}, "service")):
        response = await wicc.client.get(
            "/capacity/v1/care-capacity", params=params, headers=wicc.auth()
        )
        assert field_names(response) == {field}


async def test_totals_are_the_sum_of_their_parts_over_generated_reports(wicc: Wicc) -> None:
    rng = random.Random(11)
    now = datetime.now(UTC)
    sent = []
    for org in read_reference_file(WILTSHIRE).organisations:
        for service in org.care_services:
            age = timedelta(hours=rng.choice([rng.uniform(1, 6), rng.uniform(14, 20), 30.0]))
            body = _generated(service.type.value, rng, now - age)
            assert (await put(wicc, org.ods, body)).status_code == 200, body
            limit = timedelta(hours=DEFAULT_CARE_FRESHNESS_HOURS[service.type.value])
            sent.append((org.ods, service.localities, body, age > limit))
    assert {stale for *_, stale in sent} == {True, False}  # both kinds are exercised

    body = await care_list(wicc)
    expected = _expected_totals(sent)
    assert {(t["service_type"], t["category"], t["locality"]) for t in body["totals"]} == set(
        expected
    )
    for t in body["totals"]:
        want = expected[(t["service_type"], t["category"], t["locality"])]
        assert t["fresh_providers"] == len(want["fresh_providers"]), t
        assert t["stale_providers"] == len(want["stale_providers"]), t
        assert t["providers"] == len(want["fresh_providers"] | want["stale_providers"])
        for kind in ("fresh", "stale"):
            sums = {k: v for k, v in t[kind].items() if v is not None}
            assert sums == pytest.approx(dict(want[kind])), (t, kind)
    _assert_categories_add_up(body["totals"])


def _generated(service_type: str, rng: random.Random, as_of: datetime) -> dict[str, Any]:
    def bed_counts() -> tuple[int, int, int, int]:
        max_ = rng.randint(0, 40)
        occupied = rng.randint(0, max_)
        reserved = rng.randint(0, max_ - occupied)
        return max_, occupied, reserved, rng.randint(0, max_ - occupied - reserved)

    if service_type == "care_home":
        names = rng.sample(["nursing", "residential", "residential_dementia", "short_stay"], 3)
        return report(
            service_type, as_of=as_of, categories=[category(n, *bed_counts()) for n in names]
        )
    if FIGURES[service_type].keys() == set(BED_FIGURES):
        return report(service_type, as_of=as_of) | beds(*bed_counts())
    figures = {
        "package_starts_per_day": rng.randint(0, 15),
        "spare_hours_per_week": round(rng.uniform(0, 300), 2),
        "slots": rng.randint(0, 12),
    }
    return report(service_type, as_of=as_of, **{k: figures[k] for k in FIGURES[service_type]})


def _expected_totals(
    sent: list[tuple[str, list[str], dict[str, Any], bool]],
) -> dict[tuple[str, str | None, str | None], dict[str, Any]]:
    """The totals computed independently of the service, from what was sent."""
    expected: dict[tuple[str, str | None, str | None], dict[str, Any]] = defaultdict(
        lambda: {
            "fresh_providers": set(),
            "stale_providers": set(),
            "fresh": defaultdict(float),
            "stale": defaultdict(float),
        }
    )
    for provider, localities, body, stale in sent:
        kind = "stale" if stale else "fresh"
        service_type = body["service_type"]
        if service_type == "care_home":
            rows = [
                (
                    c["category"],
                    beds(c["max"], c["occupied"], c["vacant_reserved"], c["vacant_accepting"]),
                )
                for c in body["categories"]
            ]
        else:
            rows = [(None, {k: body[k] for k in FIGURES[service_type]})]
        for place in [None, *localities]:
            for cat, figures in rows:
                for group_cat in {None, cat}:
                    group = expected[(service_type, group_cat, place)]
                    group[f"{kind}_providers"].add(provider)
                    for name, value in figures.items():
                        group[kind][name] += value
                        group["stale" if kind == "fresh" else "fresh"][name] += 0
    return expected


def _assert_categories_add_up(totals: list[dict[str, Any]]) -> None:
    by_key = {(t["service_type"], t["category"], t["locality"]): t for t in totals}
    for (service_type, cat, place), whole in by_key.items():
        if service_type != "care_home" or cat is not None:
            continue
        parts = [t for (s, c, p), t in by_key.items() if s == service_type and p == place and c]
        for kind in ("fresh", "stale"):
            for name in BED_FIGURES:
                assert whole[kind][name] == sum(p[kind][name] for p in parts)


# -- the board -------------------------------------------------------------------------


async def test_the_board_receives_care_capacity_and_shows_locality_totals(wicc: Wicc) -> None:
    now = datetime.now(UTC)
    async with wicc.board() as ws:
        start = (await next_frame(ws))["seq"]
        body = report("care_home", as_of=now - timedelta(minutes=10))
        assert (await put(wicc, "CP-AVONVALE", body)).status_code == 200
        frame = await next_event(ws)
        stale = report("dom_care", as_of=now - timedelta(hours=20))
        assert (await put(wicc, "CP-HTLAH-W", stale)).status_code == 200
        last = await next_event(ws)

    assert frame["seq"] > start
    event = frame["event"]
    assert event["type"] == "care_capacity.updated"
    assert event["subject"] == "providers/CP-AVONVALE/services/care_home"
    data = event["data"]
    assert (data["provider"], data["service_type"], data["localities"]) == (
        "CP-AVONVALE",
        "care_home",
        ["west"],
    )
    assert data["provider_name"] == "Avon Vale Care Home (demo provider)"
    assert datetime.fromisoformat(data["as_of"]) == datetime.fromisoformat(body["as_of"])
    assert datetime.fromisoformat(data["fresh_until"]) - datetime.fromisoformat(
        data["as_of"]
    ) == timedelta(hours=24)
    assert sorted(f["category"] for f in data["figures"]) == ["nursing", "residential_dementia"]
    assert "reported_by" not in data  # no key ids on the shared screen

    board = await _board_at(wicc, last["seq"])
    care = board["care"]
    flags = {(p["provider"], p["service_type"]): p["stale"] for p in care["providers"]}
    assert flags == {("CP-AVONVALE", "care_home"): False, ("CP-HTLAH-W", "dom_care"): True}
    west = {
        (t["service_type"], t["category"]): t for t in care["totals"] if t["locality"] == "west"
    }
    homes = west[("care_home", None)]
    assert homes["fresh"] == {
        "beds_max": 34,
        "beds_occupied": 29,
        "beds_vacant_reserved": 1,
        "beds_vacant_accepting": 4,
    }
    assert west[("care_home", "nursing")]["fresh"]["beds_vacant_accepting"] == 2
    dom = west[("dom_care", None)]
    assert (dom["fresh_providers"], dom["stale_providers"]) == (0, 1)
    assert dom["fresh"] == {"package_starts_per_day": 0, "spare_hours_per_week": 0}
    assert dom["stale"] == {"package_starts_per_day": 3, "spare_hours_per_week": 120.5}


async def test_the_board_and_the_api_agree_on_totals(wicc: Wicc) -> None:
    rng = random.Random(23)
    now = datetime.now(UTC)
    events = 0
    for org in read_reference_file(WILTSHIRE).organisations:
        for service in org.care_services:
            age = timedelta(hours=rng.choice([2.0, 16.0, 30.0]))
            body = _generated(service.type.value, rng, now - age)
            assert (await put(wicc, org.ods, body)).status_code == 200
            events += 1
    api = await care_list(wicc)
    board = await _board_at(wicc, events)
    board_totals = {
        (t["service_type"], t["category"], t["locality"]): t for t in board["care"]["totals"]
    }
    assert len(board_totals) == len(api["totals"])
    for t in api["totals"]:
        shown = board_totals[(t["service_type"], t["category"], t["locality"])]
        for name in ("providers", "fresh_providers", "stale_providers"):
            assert shown[name] == t[name]
        for kind in ("fresh", "stale"):
            assert shown[kind] == pytest.approx({k: v for k, v in t[kind].items() if v is not None})


async def _board_at(wicc: Wicc, seq: int) -> dict[str, Any]:
    """The board snapshot once the hub has applied the event log up to `seq`."""
    for _ in range(200):
        board = await get_json(wicc, "/flow/v1/board")
        if board["seq"] >= seq:
            return board
        await asyncio.sleep(0.05)
    raise AssertionError(f"the board never reached seq {seq}")
