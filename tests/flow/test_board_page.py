"""The live board page in headless Chromium, against a real running WICC.

What a person in the control room sees: the snapshot, live updates in place, a cut
connection shown as such and resumed without a gap, stale figures greyed, and a page
that fits the wall screen and the laptop and passes an accessibility scan.
"""

from __future__ import annotations

import asyncio
import re
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest
from playwright.async_api import Browser

from tests.builders.opel import opel_sitrep
from tests.escalation.opel_api import declared, submit_sitrep, until
from tests.flow.board_page import (
    LIVE_WITHIN_MS,
    Reports,
    assert_fits,
    cut_off,
    hub_of,
    signed_in,
    take_the_board_away,
)
from tests.flow.browser import (
    CHROMIUM,
    LAPTOP,
    MISSING_CHROMIUM,
    WALL,
    screenshot,
    serious_violations,
    visit,
)
from tests.support import Wicc, set_clock
from wicc_escalation.state import EscalationState

if not CHROMIUM.exists():  # one plain line in the test summary, not one per test
    pytest.skip(MISSING_CHROMIUM, allow_module_level=True)


async def test_the_page_shows_the_snapshot_with_names_and_ages(
    wicc: Wicc, browser: Browser
) -> None:
    reports = Reports(wicc)
    await reports.beds(
        "RNZ-AMU",
        core_open=30,
        escalation_open=4,
        occupied=31,
        closed=[{"reason": "infection_control", "count": 3}],
    )
    await reports.beds("RNZ-ICU", core_open=10, escalation_open=0, occupied=10)  # not G&A
    await reports.beds("RN3-AMU", core_open=40, escalation_open=0, occupied=30, closed=[])

    seen = await signed_in(browser, wicc)
    salisbury = seen.tile("RNZ")
    await salisbury.wait_for()
    assert await salisbury.locator(".tile-open").inner_text() == "Salisbury"
    # G&A only: 31 of 34 (the ICU's beds are not general and acute).
    assert await salisbury.locator(".ga-pct").inner_text() == "91 %"
    assert await salisbury.locator(".beds").inner_text() == "31 of 34 beds occupied"
    assert await salisbury.locator(".escalation .figure").inner_text() == "4"
    assert await salisbury.locator(".closed-infection .figure").inner_text() == "3"
    assert re.fullmatch(r"\d+ min ago", await salisbury.locator(".age").inner_text())
    assert await seen.tile("RN3").locator(".ga-pct").inner_text() == "75 %"
    # The system strip: escalation beds open across every unit.
    assert await seen.text("#system .stat:has-text('Escalation beds open') .figure") == "4"
    assert await seen.text("#connection") == "Live"
    # Features with no data render nothing: no care capacity reported, no section.
    assert await seen.page.locator("#care").is_hidden()
    assert seen.left_origin == [] and seen.errors == []


async def test_a_bed_update_changes_the_tile_in_place_within_a_second(
    wicc: Wicc, browser: Browser
) -> None:
    reports = Reports(wicc)
    await reports.beds("RNZ-AMU", core_open=30, escalation_open=0, occupied=27, closed=[])
    seen = await signed_in(browser, wicc)
    tile = seen.tile("RNZ")
    assert await tile.locator(".ga-pct").inner_text() == "90 %"
    # Marks that a redraw or a reload would lose.
    await tile.evaluate("node => { node.dataset.marker = 'kept'; window.notReloaded = true; }")

    await reports.beds("RNZ-AMU", core_open=30, escalation_open=2, occupied=30, closed=[])
    await seen.page.wait_for_function(
        """() => document.querySelector('.tile[data-marker="kept"] .ga-pct')
                   ?.textContent === '94 %'""",
        timeout=LIVE_WITHIN_MS,
    )
    assert await seen.page.evaluate("window.notReloaded") is True
    assert await seen.page.locator(".tile").count() == 1
    assert await tile.locator(".escalation .figure").inner_text() == "2"
    feed = await seen.text(".feed-list li:first-child")
    assert "Salisbury: AMU occupancy 94 % (+4), escalation beds 2 (+2)" in feed


async def test_a_cut_connection_greys_the_board_and_resumes_with_since(
    wicc: Wicc, browser: Browser
) -> None:
    reports = Reports(wicc)
    await reports.beds("RD1-AMU", core_open=40, escalation_open=0, occupied=20, closed=[])
    seen = await signed_in(browser, wicc)
    tile = seen.tile("RD1")
    assert await tile.locator(".ga-pct").inner_text() == "50 %"
    first_seq = hub_of(wicc).seq

    hub = take_the_board_away(wicc)
    await seen.page.wait_for_selector('body[data-connection="reconnecting"]', timeout=2_000)
    assert re.fullmatch(
        r"Offline since \d\d:\d\d, reconnecting\. Figures are not current\.",
        await seen.text("#connection"),
    )
    # Every figure is marked not current at once, the old value kept but greyed.
    assert await tile.locator(".ga-pct").get_attribute("data-current") == "false"
    assert await seen.page.locator('.figure[data-current="true"]').count() == 0

    await reports.beds("RD1-AMU", core_open=40, escalation_open=0, occupied=30, closed=[])
    await asyncio.sleep(1.0)  # a few refused reconnects
    assert await tile.locator(".ga-pct").inner_text() == "50 %"
    assert await seen.page.locator('.figure[data-current="true"]').count() == 0

    hub.ready = True
    await seen.page.wait_for_selector('body[data-connection="live"]', timeout=15_000)
    await seen.page.wait_for_function(
        """() => document.querySelector('.tile[data-org="RD1"] .ga-pct')
                   .textContent === '75 %'""",
        timeout=2_000,
    )
    assert await tile.locator(".ga-pct").get_attribute("data-current") == "true"
    # It asked for what it missed, and the server replayed events, not a snapshot.
    assert f"since={first_seq}" in seen.sockets[-1]
    assert [client.resumed for client in hub.clients] == [True]
    assert seen.errors == []


@pytest.mark.parametrize("settings_overrides", [{"board_history": 10}])
async def test_after_missing_too_much_the_page_takes_a_fresh_snapshot(
    wicc: Wicc, browser: Browser, settings_overrides: dict[str, Any]
) -> None:
    reports = Reports(wicc)
    await reports.beds("RD1-AMU", core_open=40, escalation_open=0, occupied=20, closed=[])
    seen = await signed_in(browser, wicc)
    assert await seen.tile("RD1").locator(".ga-pct").inner_text() == "50 %"

    hub = take_the_board_away(wicc)
    await seen.page.wait_for_selector('body[data-connection="reconnecting"]', timeout=2_000)
    for occupied in range(21, 33):  # more than the server's history of 10 board events
        await reports.beds("RD1-AMU", core_open=40, escalation_open=0, occupied=occupied)
    await reports.beds("RN3-AMU", core_open=20, escalation_open=0, occupied=15, closed=[])
    hub.ready = True

    await seen.tile("RN3").wait_for(timeout=15_000)
    assert await seen.tile("RD1").locator(".ga-pct").inner_text() == "80 %"
    assert await seen.tile("RN3").locator(".ga-pct").inner_text() == "75 %"
    assert "since=" in seen.sockets[-1]
    assert [client.resumed for client in hub.clients] == [False]  # a snapshot, not a replay
    assert seen.errors == []


async def test_a_figure_older_than_its_limit_is_greyed_with_its_age(
    wicc: Wicc, browser: Browser
) -> None:
    real_now = datetime.now(UTC)
    reports = Reports(wicc, start=real_now - timedelta(minutes=5))
    await reports.beds("RNZ-AMU", core_open=30, escalation_open=0, occupied=20, closed=[])
    later = real_now + timedelta(hours=25)
    wicc.runtime.clock = lambda: later  # a day and an hour on: RNZ's figure is stale
    await Reports(wicc, start=later - timedelta(minutes=5)).beds("RN3-AMU", occupied=10)

    seen = await signed_in(browser, wicc)
    stale, fresh = seen.tile("RNZ"), seen.tile("RN3")
    await stale.wait_for()
    assert await stale.get_attribute("data-stale") == "true"
    assert await stale.locator(".ga-pct").get_attribute("data-current") == "false"
    assert re.fullmatch(
        r"Stale: 1 unit, oldest 1 d 1 h old", await stale.locator(".age").inner_text()
    )
    assert await fresh.get_attribute("data-stale") == "false"
    assert await fresh.locator(".ga-pct").get_attribute("data-current") == "true"
    assert re.fullmatch(r"\d+ min ago", await fresh.locator(".age").inner_text())


async def test_care_capacity_appears_live_per_locality_and_service(
    wicc: Wicc, browser: Browser
) -> None:
    await Reports(wicc).beds("RNZ-AMU", occupied=10)
    seen = await signed_in(browser, wicc)
    assert await seen.page.locator("#care").is_hidden()

    as_of = (datetime.now(UTC) - timedelta(minutes=10)).isoformat()
    body = {
        "service_type": "dom_care",
        "as_of": as_of,
        "package_starts_per_day": 3,
        "spare_hours_per_week": 120.5,
    }
    response = await wicc.client.put(
        "/capacity/v1/providers/CP-HTLAH-N/capacity", json=body, headers=wicc.auth()
    )
    assert response.status_code == 200, response.text
    await seen.page.locator("#care").wait_for(state="visible", timeout=LIVE_WITHIN_MS)
    row = seen.page.locator(".care-table tbody tr", has_text="Home care")
    headers = await seen.page.locator(".care-table thead th").all_inner_texts()
    assert headers == ["Service", "North", "System"]
    cells = await row.locator("td .figure").all_inner_texts()
    assert cells == ["3", "3"]
    assert "120.5 h/week" in await row.locator("td").first.inner_text()
    assert "Help to Live at Home, North: home care 3 starts/day" in await seen.text(
        ".feed-list li:first-child"
    )


async def test_a_trust_opens_to_its_units_with_a_trend(wicc: Wicc, browser: Browser) -> None:
    reports = Reports(wicc)
    await reports.beds("RNZ-AMU", core_open=30, escalation_open=0, occupied=24, closed=[])
    await reports.beds("RNZ-AMU", core_open=30, escalation_open=0, occupied=27, closed=[])
    await reports.beds("RNZ-SURG", core_open=20, escalation_open=0, occupied=15, closed=[])
    seen = await signed_in(browser, wicc)
    await seen.tile("RNZ").click()
    dialog = seen.page.locator("#drill")
    await dialog.wait_for(state="visible")
    assert await seen.text("#drill-title") == "Salisbury: units"
    amu = dialog.locator('tr[data-key="RNZ-AMU"]')
    assert await amu.locator("th").inner_text() == "Acute Medical Unit"
    assert "27 / 30" in await amu.inner_text()
    trend = amu.locator("svg[role=img]")
    await trend.wait_for()
    assert await trend.get_attribute("aria-label") == "From 80 % to 90 % over 2 reports"

    await amu.evaluate("row => { row.dataset.marker = 'kept'; }")
    await reports.beds("RNZ-AMU", core_open=30, escalation_open=0, occupied=30, closed=[])
    await seen.page.wait_for_function(
        """() => document.querySelector('tr[data-marker="kept"] svg')
                   ?.getAttribute('aria-label') === 'From 80 % to 100 % over 3 reports'""",
        timeout=LIVE_WITHIN_MS,
    )
    await seen.page.keyboard.press("Escape")
    await dialog.wait_for(state="hidden")


async def test_sign_in_keeps_the_key_in_this_tab_only_and_sign_out_forgets_it(
    wicc: Wicc, browser: Browser
) -> None:
    seen = await visit(browser, wicc.base_url)
    await seen.page.goto(f"{wicc.base_url}/flow/board")
    await seen.page.fill("#api-key", "wicc_not-a-key")
    await seen.page.click("#sign-in-form button[type=submit]")
    await seen.page.locator("#sign-in-error", has_text="not accepted").wait_for()
    assert await seen.page.evaluate("sessionStorage.length") == 0

    key = await wicc.key("viewer", system="wiltshire")
    await seen.sign_in(key)
    assert await seen.page.evaluate("sessionStorage.getItem('wicc.board.key')") == key
    assert await seen.page.evaluate("localStorage.length") == 0
    assert "token=" in seen.sockets[-1]

    await seen.page.click("#sign-out")
    await seen.page.locator("#sign-in").wait_for(state="visible")
    assert await seen.page.evaluate("sessionStorage.length") == 0
    assert await seen.text("#connection") == "Signed out"
    await seen.page.reload()
    await seen.page.locator("#sign-in").wait_for(state="visible")  # nothing remembered


async def test_the_page_fits_both_screens_and_passes_an_accessibility_scan(
    wicc: Wicc, browser: Browser
) -> None:
    reports = Reports(wicc)
    for unit, occupied in [("RNZ-AMU", 21), ("RN3-AMU", 18), ("RD1-AMU", 12), ("WHC-SAV-WARD", 9)]:
        await reports.beds(unit, occupied=occupied)
    for viewport, name in [(WALL, "board-1920x1080"), (LAPTOP, "board-1366x768")]:
        seen = await visit(browser, wicc.base_url, viewport)
        await seen.page.goto(f"{wicc.base_url}/flow/board")
        assert await serious_violations(seen.page) == []  # the sign-in form
        await seen.sign_in(await wicc.key("viewer", system="wiltshire"))
        await seen.tile("WHC").wait_for()
        await reports.beds("RNZ-AMU", occupied=22)  # a line in the feed
        await seen.page.locator(".feed-list li").first.wait_for()
        assert await serious_violations(seen.page) == []
        await assert_fits(seen, viewport["height"])
        await screenshot(seen.page, name)

        await seen.tile("RNZ").click()
        await seen.page.locator("#drill").wait_for(state="visible")
        assert await serious_violations(seen.page) == []
        await seen.page.keyboard.press("Escape")
    # Greyed while offline: still readable (contrast) and still fitting.
    hub = take_the_board_away(wicc)
    await seen.page.wait_for_selector('body[data-connection="reconnecting"]')
    assert await serious_violations(seen.page) == []
    await screenshot(seen.page, "board-offline-1366x768")
    hub.ready = True


async def test_the_api_docs_show_their_operations_without_internet(
    wicc: Wicc, browser: Browser
) -> None:
    seen = await visit(browser, wicc.base_url)
    for service, operation in [
        ("capacity", "/v1/units/{unit_id}/beds"),
        ("flow", "/v1/board"),
        ("escalation", "/v1/inputs/{ods}/ga-occupancy"),
    ]:
        await seen.page.goto(f"{wicc.base_url}/{service}/docs")
        path = seen.page.locator(".opblock-summary-path", has_text=operation).first
        await path.wait_for(timeout=10_000)
        assert await seen.page.locator(".opblock").count() > 3
    await seen.page.goto(f"{wicc.base_url}/flow/redoc")
    heading = seen.page.locator("h2", has_text="Snapshot of the live board").first
    await heading.wait_for(timeout=10_000)
    assert seen.left_origin == [], seen.left_origin
    assert seen.errors == []


async def _list_patient(wicc: Wicc, ref: str, org: str, pathway: int, locality: str) -> None:
    now = datetime.now(UTC)
    ready = (now - timedelta(days=2)).date()
    body = {
        "org": org,
        "unit_id": f"{org}-AMU",
        "local_ref": ref,
        "admitted_at": (now - timedelta(days=10)).isoformat(),
        "discharge_ready_date": ready.isoformat(),
        "pathway": pathway,
        "destination_locality": locality,
    }
    response = await wicc.client.post("/flow/v1/patients", json=body, headers=wicc.auth())
    assert response.status_code == 201, response.text


async def test_discharge_ready_patients_on_tiles_strip_and_demand_against_capacity(
    wicc: Wicc, browser: Browser
) -> None:
    reports = Reports(wicc)
    await reports.beds("RNZ-AMU", occupied=20)
    await reports.beds("RN3-AMU", occupied=20)
    seen = await signed_in(browser, wicc)
    await seen.tile("RN3").wait_for()
    # No list yet: nothing of it is rendered, not even an empty frame.
    assert await seen.page.locator("#demand").is_hidden()
    assert await seen.page.locator(".ready-to-leave, .pathways").count() == 0
    assert await seen.page.locator("#system .stat", has_text="Ready to leave").count() == 0

    await _list_patient(wicc, "A", "RNZ", 1, "south")
    await _list_patient(wicc, "B", "RNZ", 1, "south")
    await _list_patient(wicc, "C", "RNZ", 3, "south")
    await _list_patient(wicc, "D", "RN3", 2, "north")
    care = {
        "service_type": "dom_care",
        "as_of": (datetime.now(UTC) - timedelta(minutes=10)).isoformat(),
        "package_starts_per_day": 1,
        "spare_hours_per_week": 10,
    }
    response = await wicc.client.put(
        "/capacity/v1/providers/CP-HTLAH-S/capacity", json=care, headers=wicc.auth()
    )
    assert response.status_code == 200, response.text

    rnz = seen.tile("RNZ")
    await seen.page.wait_for_function(
        """() => document.querySelector('.tile[data-org="RNZ"] .ready-to-leave .figure')
                   ?.textContent === '3'""",
        timeout=5_000,
    )
    pathways = await rnz.locator(".pathways").inner_text()
    assert pathways.startswith("P0 0 \u00b7 P1 2 \u00b7 P2 0 \u00b7 P3 1 \u00b7 ")
    assert pathways.endswith(" days lost")
    assert await seen.text("#system .stat:has-text('Ready to leave') .figure") == "4"
    demand = seen.page.locator("#demand")
    await demand.wait_for(state="visible")
    await seen.page.wait_for_function(
        """() => document.querySelector('#demand tr[data-key="south"] td[data-pathway="1"] .free')
                   ?.textContent === '1 free \u00b7 1 short'""",
        timeout=5_000,
    )
    home = demand.locator('tr[data-key="south"] td[data-pathway="1"]')
    assert await home.locator(".figure").inner_text() == "2"
    assert await home.get_attribute("data-short") == "true"
    assert re.fullmatch(r"\d+ min ago", await home.locator(".age").inner_text())
    bed = demand.locator('tr[data-key="north"] td[data-pathway="2"]')
    assert await bed.locator(".free").inner_text() == "0 free \u00b7 1 short"
    assert await bed.locator(".age").inner_text() == "no fresh figure"
    assert "ready to leave" in await seen.text(".feed-list")
    for viewport in (WALL, LAPTOP):
        await seen.page.set_viewport_size(viewport)
        assert await serious_violations(seen.page) == []
        await assert_fits(seen, viewport["height"])
    await screenshot(seen.page, "board-patients-1366x768")
    assert seen.left_origin == [] and seen.errors == []


async def test_opel_on_the_tiles_and_the_strip_in_numbers_and_words_with_actions(
    wicc: Wicc, browser: Browser
) -> None:
    nine_thirty = datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
    set_clock(wicc, nine_thirty)
    # Beds from before the sitrep's 08:00: the sitrep's are fresher, so RNZ scores 14.
    await Reports(wicc, start=nine_thirty - timedelta(hours=2)).beds(
        "RNZ-AMU", core_open=30, escalation_open=0, occupied=27, closed=[]
    )
    for unit in ("RN3-AMU", "RD1-AMU", "WHC-SAV-WARD"):  # a full wall of tiles
        await Reports(wicc, start=nine_thirty - timedelta(minutes=20)).beds(unit, occupied=15)
    await submit_sitrep(wicc, opel_sitrep("RNZ"))
    for org in ("RN3", "RD1"):
        await until(wicc, f"/escalation/v1/orgs/{org}/opel", lambda o: o["level"] is not None)
    system = await until(
        wicc,
        "/escalation/v1/systems/wiltshire/opel",
        lambda s: all(m["score"] for m in s["pillars"][0]["members"]) and s["level"] is not None,
    )
    await declared(wicc, "/escalation/v1/orgs/RNZ/declarations", 2)

    seen = await signed_in(browser, wicc, LAPTOP)
    opel = seen.tile("RNZ").locator(".tile-opel")
    await opel.wait_for()
    assert await opel.locator(".level").inner_text() == "OPEL 3 · Major pressure"
    flags = "calculated · declared OPEL 2, differs · score 14 of 27 · 3 open actions"
    assert await opel.locator(".flags").inner_text() == flags
    strip = seen.page.locator("#system .stat:has-text('System OPEL')")
    words = {1: "Flow maintained", 2: "Signs of pressure", 3: "Major pressure"}
    level = system["level"]
    assert await strip.locator(".figure").inner_text() == f"OPEL {level} · {words[level]}"
    detail = f"calculated · score {system['score']:g} of 100"
    assert (await strip.locator(".age").inner_text()).startswith(detail)
    assert seen.errors == []

    # The level 2 huddle was due in 60 minutes: unacknowledged, it re-escalates, live.
    set_clock(wicc, nine_thirty + timedelta(minutes=61))
    scheduler = wicc.runtime.scheduler
    assert scheduler is not None
    assert await scheduler.run_once(wicc.state(EscalationState).action_overdue, force=True)
    await seen.page.wait_for_function(
        """() => document.querySelector('.tile[data-org="RNZ"] .tile-opel .flags')
                   ?.textContent.startsWith('calculated · 1 overdue action · declared OPEL 2')""",
        timeout=LIVE_WITHIN_MS,
    )
    feed = await seen.text(".feed-list li:first-child")
    assert "Salisbury: action overdue, not acknowledged (acute-2-site-huddle)" in feed
    assert await serious_violations(seen.page) == []
    await assert_fits(seen, LAPTOP["height"])
    await screenshot(seen.page, "board-opel-1366x768")
    await seen.tile("RNZ").click()
    assert await seen.text(".drill-opel") == (
        "OPEL 3 · Major pressure, calculated: score 14 of 27. "
        "declared OPEL 2 · Signs of pressure (differs). actions: 3 open · 1 overdue"
    )
    assert await serious_violations(seen.page) == []
    await seen.page.keyboard.press("Escape")
    for viewport in (LAPTOP, WALL):
        await seen.page.set_viewport_size(viewport)
        assert await cut_off(seen, ".tile") == [], f"tiles cut off at {viewport}"
