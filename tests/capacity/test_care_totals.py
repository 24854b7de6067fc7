"""Care-package capacity totals: filters and pages, totals over generated reports, and
the board's totals agreeing with the API's."""

from __future__ import annotations

import asyncio
import random
from collections import defaultdict
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

import pytest

from tests.builders.care import BED_FIGURES, FIGURES, PROVIDER, beds, category, report
from tests.capacity.care_api import care_list, field_names, get_json, put
from tests.support import Wicc, next_event, next_frame
from wicc_shared.kernel.reference import read_reference_file
from wicc_shared.rules.care_freshness import DEFAULT_CARE_FRESHNESS_HOURS

WILTSHIRE = Path(__file__).resolve().parents[2] / "reference" / "wiltshire.yaml"


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
