"""Care-package capacity freshness: stale figures flagged and kept out of fresh totals,
time passing, and the configured limits."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from pydantic import ValidationError

from tests.builders.care import PROVIDER, report
from tests.capacity.care_api import care_list, get_json, put
from tests.support import Wicc
from wicc.app import Settings
from wicc_shared.clock import system_clock
from wicc_shared.kernel.reference import CareServiceType
from wicc_shared.rules.care_freshness import DEFAULT_CARE_FRESHNESS_HOURS


def total(body: dict[str, Any], service: str, locality: str | None, cat: str | None = None) -> Any:
    return next(
        t
        for t in body["totals"]
        if (t["service_type"], t["locality"], t["category"]) == (service, locality, cat)
    )


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
