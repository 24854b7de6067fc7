"""GET /capacity/v1/beds (roll-ups) and GET /capacity/v1/units/{id}/beds/history."""

from __future__ import annotations

import asyncio
import random
from collections import Counter
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest

from tests.support import Wicc, plain_url

PROBLEM = "application/problem+json"
REASONS = ("infection_control", "staffing", "estates", "other")


async def get_rollups(wicc: Wicc, **params: Any) -> dict[str, Any]:
    response = await wicc.client.get("/capacity/v1/beds", params=params, headers=wicc.auth())
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


def by_key(items: list[dict[str, Any]], *keys: str) -> dict[Any, dict[str, Any]]:
    if len(keys) == 1:
        return {item[keys[0]]: item for item in items}
    return {tuple(item[k] for k in keys): item for item in items}


def closed_counts(figures: dict[str, Any]) -> Counter[str]:
    return Counter({c["reason"]: c["count"] for c in figures["closed"]})


def summed(parts: list[dict[str, Any]]) -> dict[str, Any]:
    """What a roll-up's `figures` must be, given its parts' `figures`."""
    core = sum(p["core_open"] for p in parts)
    escalation = sum(p["escalation_open"] for p in parts)
    occupied = sum(p["occupied"] for p in parts)
    closed: Counter[str] = Counter()
    for p in parts:
        closed.update(closed_counts(p))
    open_total = core + escalation
    return {
        "core_open": core,
        "escalation_open": escalation,
        "open": open_total,
        "occupied": occupied,
        "available": open_total - occupied,
        "occupancy_pct": round(100 * occupied / open_total, 1) if open_total else None,
        "closed": [{"reason": r, "count": closed[r]} for r in REASONS if closed[r]],
        "closed_total": sum(closed.values()),
    }


async def db(wicc: Wicc) -> asyncpg.Connection:
    return await asyncpg.connect(plain_url(wicc.settings.async_database_url))


async def insert_area_beds(
    wicc: Wicc, org: str, bed_area: str, core: int, escalation: int, occupied: int, as_of: datetime
) -> None:
    conn = await db(wicc)
    try:
        await conn.execute(
            "INSERT INTO capacity.area_beds (org_ods, bed_area, core_open, escalation_open, "
            "occupied, as_of, source, reported_by) "
            "VALUES ($1, $2, $3, $4, $5, $6, 'sitrep', 'test')",
            org,
            bed_area,
            core,
            escalation,
            occupied,
            as_of,
        )
    finally:
        await conn.close()


# --- roll-ups over the Wiltshire reference data -------------------------------------


async def test_units_that_never_reported_are_listed_not_counted(wicc: Wicc) -> None:
    now = datetime.now(UTC)
    assert (await wicc.put_beds("RNZ-AMU", occupied=18, as_of=now - timedelta(hours=2))).is_success
    assert (
        await wicc.put_beds("RNZ-MED-A", occupied=10, as_of=now - timedelta(hours=1))
    ).is_success

    body = await get_rollups(wicc, org="RNZ")
    units = by_key(body["units"], "unit_id")
    assert units["RNZ-AMU"]["reporting"] and units["RNZ-AMU"]["figures"]["occupied"] == 18
    silent = units["RNZ-MED-B"]
    assert silent["reporting"] is False and silent["figures"] is None and silent["as_of"] is None

    [org] = body["organisations"]
    assert org["org"] == "RNZ" and org["units_total"] == 8 and org["units_reporting"] == 2
    assert "RNZ-MED-B" in org["units_not_reporting"] and "RNZ-AMU" not in org["units_not_reporting"]
    assert org["figures"] == summed([units["RNZ-AMU"]["figures"], units["RNZ-MED-A"]["figures"]])
    assert org["figures"]["open"] == 44  # 2 x (20 core + 2 escalation): no zero-bed units
    assert org["oldest_as_of"] == units["RNZ-AMU"]["as_of"]
    assert org["newest_as_of"] == units["RNZ-MED-A"]["as_of"]
    assert 7100 < org["age_seconds"] < 7400
    areas = by_key(body["areas"], "org", "bed_area")
    assert areas[("RNZ", "adult_ga")]["source"] == "units"
    assert areas[("RNZ", "adult_cc")]["source"] is None
    assert areas[("RNZ", "adult_cc")]["figures"]["open"] == 0
    assert areas[("RNZ", "adult_cc")]["figures"]["occupancy_pct"] is None


async def test_sitrep_figures_fill_areas_with_no_unit_reports_only(wicc: Wicc) -> None:
    now = datetime.now(UTC)
    await insert_area_beds(wicc, "RNZ", "adult_cc", 10, 2, 11, now - timedelta(hours=3))
    await insert_area_beds(wicc, "RNZ", "adult_ga", 140, 6, 139, now - timedelta(hours=3))
    await insert_area_beds(wicc, "RNZ", "mental_health", 5, 0, 4, now - timedelta(hours=3))
    assert (await wicc.put_beds("RNZ-AMU", occupied=18, as_of=now - timedelta(hours=1))).is_success

    body = await get_rollups(wicc, org="RNZ")
    areas = by_key(body["areas"], "org", "bed_area")
    icu, ga, mh = (
        areas[("RNZ", "adult_cc")],
        areas[("RNZ", "adult_ga")],
        areas[("RNZ", "mental_health")],
    )
    assert icu["source"] == "sitrep" and icu["figures"]["open"] == 12
    assert icu["units_reporting"] == 0 and icu["units_not_reporting"] == ["RNZ-ICU"]
    # One adult G&A unit reported, so the sitrep's adult G&A figure is not used at all.
    assert ga["source"] == "units" and ga["figures"]["open"] == 22
    assert mh["source"] == "sitrep" and mh["units_total"] == 0  # no unit of that area exists
    [org] = body["organisations"]
    assert org["figures"]["open"] == 22 + 12 + 5
    assert org["oldest_as_of"] == icu["oldest_as_of"]
    [site] = body["sites"]
    assert site["figures"]["open"] == 22  # sitrep figures are organisation-wide, not a site's

    assert (await wicc.put_beds("RNZ-ICU", core_open=8, escalation_open=0, occupied=8)).is_success
    icu = by_key((await get_rollups(wicc, org="RNZ"))["areas"], "org", "bed_area")[
        ("RNZ", "adult_cc")
    ]
    assert icu["source"] == "units" and icu["figures"]["open"] == 8


async def test_old_figures_are_counted_but_flagged_stale(wicc: Wicc) -> None:
    now = datetime.now(UTC)
    assert (await wicc.put_beds("RNZ-AMU", as_of=now - timedelta(hours=30))).is_success
    assert (await wicc.put_beds("RNZ-SURG", as_of=now - timedelta(hours=1))).is_success

    body = await get_rollups(wicc, org="RNZ")
    units = by_key(body["units"], "unit_id")
    assert body["stale_after_hours"] == 24
    assert units["RNZ-AMU"]["stale"] is True and units["RNZ-SURG"]["stale"] is False
    assert units["RNZ-MED-B"]["stale"] is False  # not reporting is not stale
    [org] = body["organisations"]
    assert org["stale"] is True and org["figures"]["open"] == 44

    relaxed = await get_rollups(wicc, org="RNZ", stale_after_hours=48)
    assert relaxed["organisations"][0]["stale"] is False
    assert not any(u["stale"] for u in relaxed["units"])


async def test_filters_narrow_the_scope(wicc: Wicc) -> None:
    assert (await wicc.put_beds("RNZ-ICU", core_open=10, escalation_open=0, occupied=9)).is_success
    assert (await wicc.put_beds("RN3-ICU", core_open=12, escalation_open=1, occupied=12)).is_success
    assert (await wicc.put_beds("RN3-AMU")).is_success

    icu = await get_rollups(wicc, system="wiltshire", bed_area="adult_cc")
    assert {u["bed_area"] for u in icu["units"]} == {"adult_cc"}
    [system] = icu["systems"]
    assert system["figures"]["open"] == 23 and system["figures"]["occupied"] == 21
    assert system["units_reporting"] == 2

    rn3 = await get_rollups(wicc, org="RN3")
    assert {u["org"] for u in rn3["units"]} == {"RN3"}
    assert [o["org"] for o in rn3["organisations"]] == ["RN3"]
    assert rn3["systems"][0]["figures"] == rn3["organisations"][0]["figures"]


@pytest.mark.parametrize(
    ("params", "status", "field"),
    [
        ({"org": "NOPE"}, 404, None),
        ({"system": "atlantis"}, 404, None),
        ({"bed_area": "ballroom"}, 422, "bed_area"),
        ({"stale_after_hours": 0}, 422, "stale_after_hours"),
        ({"stale_after_hours": "soon"}, 422, "stale_after_hours"),
    ],
)
async def test_bad_roll_up_queries_are_problems(
    wicc: Wicc, params: dict[str, Any], status: int, field: str | None
) -> None:
    response = await wicc.client.get("/capacity/v1/beds", params=params, headers=wicc.auth())
    assert response.status_code == status
    assert response.headers["content-type"] == PROBLEM
    if field is not None:
        assert field in {e["field"] for e in response.json()["errors"]}


async def test_roll_ups_need_a_key(wicc: Wicc) -> None:
    assert (await wicc.client.get("/capacity/v1/beds")).status_code == 401
    viewer = await wicc.key("viewer", org="RNZ")
    response = await wicc.client.get("/capacity/v1/beds", headers=wicc.auth(viewer))
    assert response.status_code == 200


# --- roll-ups over a generated system ----------------------------------------------


@dataclass
class Generated:
    system: str
    units: dict[str, tuple[str, str, str]] = field(default_factory=dict)  # id -> org, site, area
    reports: dict[str, dict[str, Any]] = field(default_factory=dict)  # unit id -> figures sent
    sitreps: dict[tuple[str, str], dict[str, Any]] = field(default_factory=dict)


AREAS = ("adult_ga", "adult_cc", "paed_ga", "community", "mental_health")


async def generate_system(wicc: Wicc, rng: random.Random, code: str) -> Generated:
    """A random care system in the reference tables, random unit reports through the
    API, and random sitrep area figures."""
    gen = Generated(system=code)
    now = datetime.now(UTC)
    conn = await db(wicc)
    try:
        await conn.execute(
            "INSERT INTO kernel.care_system (code, name, timezone, sitrep_deadline) "
            "VALUES ($1, $2, 'Europe/London', '11:00')",
            code,
            f"Generated {code}",
        )
        for o in range(rng.randint(2, 4)):
            ods = f"{code.upper()}O{o}"
            await conn.execute(
                "INSERT INTO kernel.organisation (ods, name, kind, system_code, active) "
                "VALUES ($1, $2, 'acute', $3, true)",
                ods,
                f"Org {ods}",
                code,
            )
            for s in range(rng.randint(1, 3)):
                site = f"{ods}-S{s}"
                await conn.execute(
                    "INSERT INTO kernel.site (code, org_ods, name, active) "
                    "VALUES ($1, $2, $3, true)",
                    site,
                    ods,
                    f"Site {site}",
                )
                for u in range(rng.randint(1, 4)):
                    unit = f"{site}-U{u}"
                    area = rng.choice(AREAS)
                    await conn.execute(
                        "INSERT INTO kernel.unit (id, site_code, org_ods, name, bed_area, active) "
                        "VALUES ($1, $2, $3, $4, $5, true)",
                        unit,
                        site,
                        ods,
                        f"Unit {unit}",
                        area,
                    )
                    gen.units[unit] = (ods, site, area)
            for area in AREAS:
                if rng.random() < 0.5:
                    core, esc = rng.randint(0, 60), rng.randint(0, 6)
                    figures: dict[str, Any] = {
                        "core_open": core,
                        "escalation_open": esc,
                        "occupied": rng.randint(0, core + esc),
                        "as_of": now - timedelta(hours=rng.uniform(0, 40)),
                    }
                    gen.sitreps[(ods, area)] = figures
    finally:
        await conn.close()
    for (ods, area), figures in gen.sitreps.items():
        await insert_area_beds(
            wicc,
            ods,
            area,
            figures["core_open"],
            figures["escalation_open"],
            figures["occupied"],
            figures["as_of"],
        )
    for unit in gen.units:
        if rng.random() < 0.6:
            gen.reports[unit] = random_report(rng, now)
    responses = await asyncio.gather(
        *(wicc.put_beds(unit, **figures) for unit, figures in gen.reports.items())
    )
    assert all(r.status_code == 200 for r in responses), [r.text for r in responses]
    return gen


def random_report(rng: random.Random, now: datetime) -> dict[str, Any]:
    core, esc = rng.randint(0, 40), rng.randint(0, 5)
    reasons = rng.sample(REASONS, rng.randint(0, len(REASONS)))
    return {
        "core_open": core,
        "escalation_open": esc,
        "occupied": rng.randint(0, core + esc),
        "closed": [{"reason": r, "count": rng.randint(0, 6)} for r in reasons],
        "as_of": now - timedelta(hours=rng.uniform(0.1, 40)),
    }


def sent_figures(report: dict[str, Any]) -> dict[str, Any]:
    """The `figures` a unit's report must produce."""
    closed = {c["reason"]: c["count"] for c in report["closed"]}
    part = {
        "core_open": report["core_open"],
        "escalation_open": report["escalation_open"],
        "occupied": report["occupied"],
        "closed": [{"reason": r, "count": closed[r]} for r in REASONS if closed.get(r)],
    }
    return summed([part])


@pytest.mark.parametrize("seed", [1, 2, 3, 4])
async def test_generated_system_roll_ups_equal_the_sum_of_their_parts(
    wicc: Wicc, seed: int
) -> None:
    rng = random.Random(seed)
    gen = await generate_system(wicc, rng, f"gen{seed}")
    body = await get_rollups(wicc, system=gen.system)

    units = by_key(body["units"], "unit_id")
    assert set(units) == set(gen.units)
    for unit_id, unit in units.items():
        report = gen.reports.get(unit_id)
        assert unit["reporting"] is (report is not None)
        if report is not None:
            assert unit["figures"] == sent_figures(report)

    sites = by_key(body["sites"], "site")
    for code, site in sites.items():
        members = [u for u in body["units"] if u["site"] == code]
        assert site["figures"] == summed([u["figures"] for u in members if u["reporting"]])
        assert site["units_total"] == len(members)
        assert site["units_reporting"] == sum(u["reporting"] for u in members)
        assert site["units_not_reporting"] == sorted(
            u["unit_id"] for u in members if not u["reporting"]
        )

    areas = by_key(body["areas"], "org", "bed_area")
    expected_keys = {(o, a) for o, _, a in gen.units.values()} | set(gen.sitreps)
    assert set(areas) == expected_keys
    for (ods, area), rollup in areas.items():
        reported = [
            sent_figures(gen.reports[u])
            for u, (o, _, a) in gen.units.items()
            if (o, a) == (ods, area) and u in gen.reports
        ]
        sitrep = gen.sitreps.get((ods, area))
        if reported:
            assert rollup["source"] == "units"
            assert rollup["figures"] == summed(reported)
        elif sitrep is not None:
            assert rollup["source"] == "sitrep"
            assert rollup["figures"] == summed([sitrep | {"closed": []}])
        else:
            assert rollup["source"] is None and rollup["figures"] == summed([])

    orgs = by_key(body["organisations"], "org")
    for ods, org in orgs.items():
        own_areas = [a for a in body["areas"] if a["org"] == ods]
        own_sites = [s for s in body["sites"] if s["org"] == ods]
        sitrep_areas = [a for a in own_areas if a["source"] == "sitrep"]
        assert org["figures"] == summed([a["figures"] for a in own_areas])
        assert org["figures"] == summed([p["figures"] for p in own_sites + sitrep_areas])
        assert org["units_reporting"] == sum(s["units_reporting"] for s in own_sites)
        assert org["units_total"] == sum(s["units_total"] for s in own_sites)
        assert_freshness_covers(org, own_areas)

    [system] = body["systems"]
    assert system["system"] == gen.system
    assert system["figures"] == summed([o["figures"] for o in orgs.values()])
    assert system["units_total"] == len(gen.units)
    assert system["units_reporting"] == len(gen.reports)
    assert system["units_not_reporting"] == sorted(set(gen.units) - set(gen.reports))
    assert_freshness_covers(system, list(orgs.values()))
    used = [datetime.fromisoformat(u["as_of"]) for u in body["units"] if u["reporting"]] + [
        s["as_of"] for k, s in gen.sitreps.items() if areas[k]["source"] == "sitrep"
    ]
    if used:
        assert datetime.fromisoformat(system["oldest_as_of"]) == min(used)
        age = (datetime.fromisoformat(body["generated_at"]) - min(used)).total_seconds()
        assert system["age_seconds"] == pytest.approx(age)
        assert system["stale"] is (age > 24 * 3600)


def assert_freshness_covers(rollup: dict[str, Any], parts: list[dict[str, Any]]) -> None:
    oldest = [p["oldest_as_of"] for p in parts if p["oldest_as_of"]]
    newest = [p["newest_as_of"] for p in parts if p["newest_as_of"]]
    as_dt = datetime.fromisoformat
    assert rollup["oldest_as_of"] == (min(oldest, key=as_dt) if oldest else None)
    assert rollup["newest_as_of"] == (max(newest, key=as_dt) if newest else None)
    assert rollup["stale"] is any(p["stale"] for p in parts)


# --- history ----------------------------------------------------------------------


async def history(wicc: Wicc, unit_id: str, **params: Any) -> httpx.Response:
    return await wicc.client.get(
        f"/capacity/v1/units/{unit_id}/beds/history", params=params, headers=wicc.auth()
    )


async def test_history_is_newest_first_paged_and_bounded(wicc: Wicc) -> None:
    base = datetime.now(UTC).replace(microsecond=0) - timedelta(hours=10)
    moments = [base + timedelta(hours=h) for h in range(5)]
    for occupied, moment in enumerate(moments):
        assert (await wicc.put_beds("RNZ-AMU", occupied=occupied, as_of=moment)).is_success
    assert (await wicc.put_beds("RNZ-SURG", as_of=moments[0])).is_success

    everything = (await history(wicc, "RNZ-AMU")).json()
    assert everything["total"] == 5
    assert [i["occupied"] for i in everything["items"]] == [4, 3, 2, 1, 0]
    first = everything["items"][0]
    assert first["unit_id"] == "RNZ-AMU" and first["open"] == 22 and first["available"] == 18
    assert first["age_seconds"] > 5 * 3600 and first["recorded_at"]

    page = (await history(wicc, "RNZ-AMU", limit=2, offset=1)).json()
    assert [i["occupied"] for i in page["items"]] == [3, 2]
    assert page["total"] == 5 and page["limit"] == 2 and page["offset"] == 1

    bounded = await history(
        wicc, "RNZ-AMU", **{"from": moments[1].isoformat(), "to": moments[3].isoformat()}
    )
    assert [i["occupied"] for i in bounded.json()["items"]] == [3, 2, 1]  # both ends inclusive
    assert bounded.json()["total"] == 3
    same = await history(
        wicc, "RNZ-AMU", **{"from": moments[2].isoformat(), "to": moments[2].isoformat()}
    )
    assert [i["occupied"] for i in same.json()["items"]] == [2]


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"from": "2026-01-02T00:00:00Z", "to": "2026-01-01T00:00:00Z"}, "from"),
        ({"from": "2026-01-01T08:00:00"}, "from"),  # no offset: ambiguous
        ({"to": "yesterday"}, "to"),
        ({"limit": 0}, "limit"),
    ],
)
async def test_bad_history_queries_are_422_naming_the_field(
    wicc: Wicc, params: dict[str, Any], field: str
) -> None:
    response = await history(wicc, "RNZ-AMU", **params)
    assert response.status_code == 422
    assert response.headers["content-type"] == PROBLEM
    errors = response.json()["errors"]
    assert [e["field"] for e in errors] == [field]
    assert errors[0]["location"] == "query"


async def test_history_of_unknown_unit_is_404(wicc: Wicc) -> None:
    response = await history(wicc, "NOWHERE-1")
    assert response.status_code == 404
    assert response.headers["content-type"] == PROBLEM
    assert (await history(wicc, "RNZ-AMU")).json() == {
        "items": [],
        "total": 0,
        "limit": 100,
        "offset": 0,
    }
