"""Every number in a summary reconciles with the public API.

A Wiltshire morning is put in through the API (`summary_scenario`), a summary is built
through the API, and each of its figures is recomputed from the endpoints it names as
its source: bed roll-ups, care capacity and sitrep status, asked at the same moment.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any
from urllib.parse import parse_qs, urlsplit

import pytest

from tests.flow.summary_api import SUMMARY_SETTINGS, build, document
from tests.flow.summary_scenario import STALE_PROVIDER, STALE_UNIT, YESTERDAY, wiltshire_morning
from tests.support import Wicc

Json = dict[str, Any]
# Which figure counts as a free place, per care service type (patient flow's rule).
FREE = {
    "dom_care": "package_starts_per_day",
    "reablement": "package_starts_per_day",
    "intermediate_care_step_down": "beds_vacant_accepting",
    "community_hospital": "beds_vacant_accepting",
    "care_home": "beds_vacant_accepting",
}
PATHWAY_TYPES = {
    "P1": ("dom_care", "reablement"),
    "P2": ("intermediate_care_step_down", "community_hospital"),
    "P3": ("care_home",),
}
STATUS = {"submitted": "on_time", "late": "late", "missing": "missing", "pending": "not_yet_due"}


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return SUMMARY_SETTINGS


async def _get(wicc: Wicc, source: str, **extra: Any) -> Json:
    """The endpoint a figure names as its source (`capacity:/capacity/v1/...?...`)."""
    path = source.split(":", 1)[1]
    parts = urlsplit(path)
    params = {k: v[0] for k, v in parse_qs(parts.query).items()} | extra
    response = await wicc.client.get(parts.path, params=params, headers=wicc.auth())
    assert response.status_code == 200, (source, response.text)
    body: Json = response.json()
    return body


def _areas(doc: Json) -> Iterator[Json]:
    yield doc["system"]
    yield from doc["organisations"]


async def _check_beds(wicc: Wicc, area: Json) -> None:
    beds = area["beds"]
    source = beds["occupancy"]["today"]["source"]
    rollups = await _get(wicc, source)
    scope = rollups["systems"] if area["kind"] == "system" else rollups["organisations"]
    (rollup,) = [r for r in scope if r.get("org", r.get("system")) == area["code"]]
    figures = rollup["figures"]
    infection = sum(c["count"] for c in figures["closed"] if c["reason"] == "infection_control")
    expected = {
        "occupancy": figures["occupancy_pct"],
        "occupancy_core": round(100 * figures["occupied"] / figures["core_open"], 1),
        "escalation_beds_open": figures["escalation_open"],
        "beds_closed_infection": infection,
    }
    for name, value in expected.items():
        today = beds[name]["today"]
        assert (name, today["value"]) == (name, value), area["code"]
        assert today["source"] == source
        assert today["stale"] == rollup["stale"], (area["code"], name)
        assert today["as_of"] == rollup["oldest_as_of"], (area["code"], name)


async def _check_care(wicc: Wicc, doc: Json) -> int:
    checked = 0
    for row in doc["care"]["rows"]:
        listing = await _get(
            wicc, "capacity:/capacity/v1/care-capacity", locality=row["locality"], limit=500
        )
        totals = [
            t
            for t in listing["totals"]
            if t["locality"] == row["locality"]
            and t["category"] is None
            and t["service_type"] in PATHWAY_TYPES[row["pathway"]]
        ]
        if not totals:
            assert row["capacity"] is None, row
            continue
        fresh = sum(t["fresh"].get(FREE[t["service_type"]], 0) for t in totals)
        stale = any(t["stale_providers"] for t in totals)
        assert (row["capacity"]["value"], row["capacity"]["stale"]) == (fresh, stale), row
        assert row["demand"] is None and row["gap"] is None  # no patient counts yet
        checked += 1
    return checked


async def _check_sitreps(wicc: Wicc, doc: Json) -> None:
    sitreps = doc["sitreps"]
    status = await _get(wicc, sitreps["source"], limit=500)
    assert status["deadline"] == sitreps["deadline"]
    api = {i["org"]: (STATUS[i["status"]], i["submitted_at"], i["name"]) for i in status["items"]}
    mine = {r["org"]: (r["status"], r["submitted_at"], r["org_name"]) for r in sitreps["returns"]}
    assert mine == api


async def test_every_figure_reconciles_with_the_api(wicc: Wicc) -> None:
    await wiltshire_morning(wicc)
    assert (await build(wicc)).status_code == 201
    doc = await document(wicc)

    with_beds = [a for a in _areas(doc) if a["beds"] is not None]
    assert {a["code"] for a in with_beds} == {"wiltshire", "RNZ", "RN3", "RD1"}
    for area in with_beds:
        await _check_beds(wicc, area)
    # An organisation without bed figures has none in the API either (not zero beds).
    rollups = await _get(wicc, "capacity:/capacity/v1/beds?system=wiltshire&bed_area=adult_ga")
    counted = {o["org"] for o in rollups["organisations"] if o["figures"]["open"] > 0}
    assert counted == {a["code"] for a in with_beds if a["kind"] != "system"}

    assert await _check_care(wicc, doc) == 8  # 3 localities x 3 pathways, less South P2
    await _check_sitreps(wicc, doc)
    assert doc["sitreps"]["sitrep_date"] == YESTERDAY.isoformat()


async def test_the_scenario_exercises_every_rule_it_reconciles(wicc: Wicc) -> None:
    """The reconciliation above is only as good as its data: check the data has the
    cases that matter (a check that cannot fail is a defect)."""
    await wiltshire_morning(wicc)
    assert (await build(wicc)).status_code == 201
    doc = await document(wicc)
    rollups = await _get(wicc, "capacity:/capacity/v1/beds?system=wiltshire&bed_area=adult_ga")
    sources = {a["org"]: a["source"] for a in rollups["areas"]}
    assert sources["RD1"] == "sitrep" and sources["RNZ"] == "units"  # both counting rules
    rn3 = next(o for o in doc["organisations"] if o["code"] == "RN3")
    assert rn3["beds"]["occupancy"]["today"]["stale"]  # STALE_UNIT is in it
    assert STALE_UNIT.startswith("RN3")
    west_p1 = next(
        r for r in doc["care"]["rows"] if (r["locality"], r["pathway"]) == ("west", "P1")
    )
    assert west_p1["capacity"]["stale"] and STALE_PROVIDER.endswith("-W")
    statuses = {r["status"] for r in doc["sitreps"]["returns"]}
    assert statuses == {"on_time", "late", "missing"}
