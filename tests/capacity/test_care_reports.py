"""Care-package capacity reports through the HTTP API: each service type in its own
unit, and the validation of what a report may hold."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.builders.care import (
    ALL_FIGURES,
    BED_FIGURES,
    FIGURES,
    PROVIDER,
    beds,
    category,
    report,
)
from tests.capacity.care_api import db_counts, field_names, get_json, put
from tests.support import Wicc
from wicc_shared.rules.care_freshness import DEFAULT_CARE_FRESHNESS_HOURS


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
