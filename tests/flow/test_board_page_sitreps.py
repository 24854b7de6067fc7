"""The board page's sitrep returns and delay reasons, in headless Chromium against a real
running WICC: a trust tile says, live and in words, whether its daily sitrep was
returned (on time or late) or is missing, with its age; the drill-down counts the
trust's discharge-ready patients by delay reason, counts only."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest
from playwright.async_api import Browser, TimeoutError

from tests.builders.patient_api import NOW, TODAY, created
from tests.builders.sitreps import amendment, sitrep_body
from tests.capacity.sitrep_api import post_sitrep, put_sitrep
from tests.flow.board_page import Reports, assert_fits, cut_off, signed_in
from tests.flow.browser import (
    CHROMIUM,
    LAPTOP,
    MISSING_CHROMIUM,
    WALL,
    Visit,
    screenshot,
    serious_violations,
)
from tests.support import Wicc, set_clock
from wicc_capacity.state import CapacityState

if not CHROMIUM.exists():  # one plain line in the test summary, not one per test
    pytest.skip(MISSING_CHROMIUM, allow_module_level=True)

# 23 Nov 2026: London time is UTC, and the sitrep deadline is 11:00.
NINE = dt.datetime(2026, 11, 23, 9, 0, tzinfo=dt.UTC)
FIVE_PAST_ELEVEN = dt.datetime(2026, 11, 23, 11, 5, tzinfo=dt.UTC)
FIVE_PAST_ONE = dt.datetime(2026, 11, 23, 13, 5, tzinfo=dt.UTC)
# Within seconds: an event reaches the page through the relay, the log and the hub.
LIVE_WITHIN_MS = 5_000


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    # The deadline check runs only when a test runs it: never on its own meanwhile.
    return {"sitrep_check_seconds": 3600}


async def _check_deadline_now(wicc: Wicc) -> None:
    """Run the worker's scheduled sitrep deadline check now."""
    scheduler = wicc.runtime.scheduler
    assert scheduler is not None, "the process runs no worker"
    assert await scheduler.run_once(wicc.state(CapacityState).deadline_check, force=True)


async def _submitted(wicc: Wicc, org: str, date: dt.date = TODAY) -> None:
    response = await post_sitrep(wicc, sitrep_body(org, date))
    assert response.status_code == 201, response.text


async def _line_becomes(seen: Visit, org: str, pattern: str) -> str:
    """The tile's sitrep line once it matches `pattern` (waited for, without reload)."""
    line = seen.tile(org).locator(".tile-sitrep")
    try:
        await seen.page.wait_for_function(
            """([org, pattern]) => new RegExp(`^${pattern}$`).test(document.querySelector(
                 `.tile[data-org="${org}"] .tile-sitrep`)?.textContent ?? "")""",
            arg=[org, pattern],
            timeout=LIVE_WITHIN_MS,
        )
    except TimeoutError as error:
        shown = await line.all_inner_texts()
        raise AssertionError(f"{org}'s sitrep line is {shown}, not {pattern!r}") from error
    return await line.inner_text()


async def test_a_returned_sitrep_shows_on_its_tile_live_with_its_age(
    wicc: Wicc, browser: Browser
) -> None:
    set_clock(wicc, NINE)  # before the deadline
    reports = Reports(wicc, start=NINE - dt.timedelta(minutes=20))
    await reports.beds("RNZ-AMU", occupied=20)
    await reports.beds("RN3-AMU", occupied=20)
    await _submitted(wicc, "RN3", TODAY - dt.timedelta(days=1))  # yesterday's, only now
    seen = await signed_in(browser, wicc)
    # Not today's: dated.
    await _line_becomes(seen, "RN3", r"Sitrep 22 Nov returned late, \d+ s ago")
    # No return and none missed yet: nothing said, rather than a guess.
    assert await seen.tile("RNZ").locator(".tile-sitrep").count() == 0
    await seen.tile("RNZ").evaluate("t => { t.dataset.marker = 'kept'; window.notReloaded = 1; }")

    await _submitted(wicc, "RNZ")
    await _line_becomes(seen, "RNZ", r"Sitrep returned, \d+ s ago")
    line = seen.tile("RNZ").locator(".tile-sitrep")
    assert await line.get_attribute("data-status") == "on_time"
    title = await line.get_attribute("title")
    assert title == "Sitrep for 23 Nov returned at 09:00 (deadline 11:00)."
    assert await seen.page.evaluate("window.notReloaded") == 1
    assert await seen.page.locator('.tile[data-marker="kept"] .tile-sitrep').count() == 1
    assert await seen.page.locator(".tile-sitrep").count() == 2
    assert "Salisbury: sitrep for 23 Nov returned" in await seen.text(".feed-list")

    # An amendment: still returned on time, and said so in the title and the feed.
    set_clock(wicc, NINE + dt.timedelta(minutes=10))
    response = await put_sitrep(wicc, "RNZ", TODAY, amendment(nctr_patients=20))
    assert response.status_code == 200, response.text
    await seen.page.locator(".feed-list", has_text="Salisbury: sitrep for 23 Nov amended").wait_for(
        timeout=LIVE_WITHIN_MS
    )
    title = await line.get_attribute("title")
    assert title == "Sitrep for 23 Nov returned at 09:00 (deadline 11:00), amended at 09:10."
    assert re.fullmatch(r"Sitrep returned, \d+ s ago", await line.inner_text())
    assert seen.errors == []


async def test_a_missed_sitrep_shows_as_missing_until_a_late_return_arrives(
    wicc: Wicc, browser: Browser
) -> None:
    set_clock(wicc, FIVE_PAST_ELEVEN)
    reports = Reports(wicc, start=FIVE_PAST_ELEVEN - dt.timedelta(minutes=20))
    for unit in ("RNZ-AMU", "RN3-AMU", "RD1-AMU", "WHC-SAV-WARD"):  # a full wall of tiles
        await reports.beds(unit, occupied=15)
    await _submitted(wicc, "RNZ")  # five minutes late
    await created(wicc, local_ref="SDH-0001")  # RNZ's tile at its fullest: patients too
    set_clock(wicc, FIVE_PAST_ONE)  # two hours on: long ages, the longest lines
    seen = await signed_in(browser, wicc, LAPTOP)
    await _line_becomes(seen, "RNZ", "Sitrep returned late, 2 h 00 min ago")
    assert await seen.tile("RD1").locator(".tile-sitrep").count() == 0
    await seen.tile("RD1").evaluate("t => { t.dataset.marker = 'kept'; }")

    await _check_deadline_now(wicc)  # RD1, RN3, WHC (and RVN, no tile) are announced
    rd1 = seen.tile("RD1")
    await _line_becomes(seen, "RD1", "Sitrep missing for 2 h 05 min")
    line = rd1.locator(".tile-sitrep")
    assert await line.get_attribute("data-status") == "missed"
    # The day before was missed too (the check looks back a day): said in the title.
    assert await line.get_attribute("title") == (
        "Sitrep for 23 Nov missing at the 11:00 deadline. Before: 22 Nov missing."
    )
    for org in ("RN3", "WHC"):
        await _line_becomes(seen, org, "Sitrep missing for 2 h 05 min")
    # RNZ's late return stands: a later check does not turn it into a missing one.
    assert await seen.tile("RNZ").locator(".tile-sitrep").inner_text() == (
        "Sitrep returned late, 2 h 00 min ago"
    )
    name = await rd1.locator(".tile-open").inner_text()
    assert f"{name}: sitrep for 23 Nov missing" in await seen.text(".feed-list")
    for viewport in (LAPTOP, WALL):
        await seen.page.set_viewport_size(viewport)
        await assert_fits(seen, viewport["height"])
        assert await cut_off(seen, ".tile") == [], f"tiles cut off at {viewport}"
        assert await cut_off(seen, ".tile-sitrep") == [], f"lines cut short at {viewport}"
        assert await serious_violations(seen.page) == []
        await screenshot(seen.page, f"board-sitreps-{viewport['width']}x{viewport['height']}")

    await _submitted(wicc, "RD1")
    await _line_becomes(seen, "RD1", r"Sitrep returned late, \d+ s ago")
    assert await seen.page.locator('.tile[data-marker="kept"]').count() == 1
    await rd1.click()
    assert await seen.text(".drill-sitreps") == (
        "Sitrep for 23 Nov returned late at 13:05 (deadline 11:00). Before: 22 Nov missing."
    )
    assert await serious_violations(seen.page) == []
    await screenshot(seen.page, "board-drill-sitreps-1920x1080")
    assert seen.errors == []


REASON_NAMES = {
    "p1_care_at_home": "Pathway 1: awaiting resource for assessment and start of care at home",
    "p3_care_home": "Pathway 3: awaiting a residential or nursing home bed",
    "none_recorded": "No reason recorded",
}


def _delay(reason: str) -> list[dict[str, str]]:
    return [{"reason": reason, "from": (TODAY - dt.timedelta(days=2)).isoformat()}]


async def _drill_reasons(seen: Visit) -> list[tuple[str, str]]:
    rows = seen.page.locator("#drill .reasons-table tbody tr")
    return [
        (await row.locator("th").inner_text(), await row.locator("td").inner_text())
        for row in await rows.all()
    ]


async def test_the_drill_down_counts_ready_patients_by_delay_reason_live(
    wicc: Wicc, browser: Browser
) -> None:
    set_clock(wicc, NOW)
    await Reports(wicc, start=NOW - dt.timedelta(minutes=20)).beds("RNZ-AMU", occupied=20)
    records = [
        await created(wicc, local_ref="SDH-0001"),  # waiting for care at home (the default)
        await created(wicc, local_ref="SDH-0002"),
        # A local code counts under its national parent, as the discharge sitrep counts it.
        await created(
            wicc, local_ref="SDH-0003", pathway=3, delays=_delay("p3_care_home.residential")
        ),
        await created(wicc, local_ref="SDH-0004", delays=[]),
        # Another trust's patient is not Salisbury's.
        await created(wicc, org="RN3", unit_id="RN3-AMU", local_ref="GWH-0001"),
    ]
    seen = await signed_in(browser, wicc)  # a viewer: counts are all it may see
    await seen.tile("RNZ").click()
    section = seen.page.locator("#drill .drill-reasons")
    await section.wait_for(state="visible")
    expected = [
        (REASON_NAMES["p1_care_at_home"], "2"),
        (REASON_NAMES["p3_care_home"], "1"),
        (REASON_NAMES["none_recorded"], "1"),
    ]
    assert await _drill_reasons(seen) == expected
    assert re.fullmatch(
        r"4 ready to leave on 23 Nov, counted \d+ s ago", await section.locator(".age").inner_text()
    )
    # The same counts as the trust's discharge sitrep, read through the API.
    response = await wicc.client.get(f"/flow/v1/discharge-sitrep/RNZ/{TODAY}", headers=wicc.auth())
    assert response.status_code == 200, response.text
    by_reason = {r["reason"]: r["remaining"] for r in response.json()["by_reason"]}
    assert {REASON_NAMES[k]: str(v) for k, v in by_reason.items() if v} == dict(expected)
    # Counts only: no record's reference or id reaches the page.
    html = await seen.page.content()
    assert not any(r["local_ref"] in html or r["id"] in html for r in records)

    # A new patient moves the open panel's counts, in place.
    await section.locator("tbody tr").first.evaluate("row => { row.dataset.marker = 'kept'; }")
    await created(wicc, local_ref="SDH-0005", pathway=3, delays=_delay("p3_care_home"))
    await created(wicc, local_ref="SDH-0006", pathway=3, delays=_delay("p3_care_home.nursing"))
    await seen.page.wait_for_function(
        """() => document.querySelector('#drill .reasons-table tbody tr')
                   ?.querySelector('td').textContent === '3'""",
        timeout=LIVE_WITHIN_MS,
    )
    assert await _drill_reasons(seen) == [
        (REASON_NAMES["p3_care_home"], "3"),
        (REASON_NAMES["p1_care_at_home"], "2"),
        (REASON_NAMES["none_recorded"], "1"),
    ]
    assert await seen.page.locator("#drill tr[data-marker='kept']").count() == 1
    assert await serious_violations(seen.page) == []
    await screenshot(seen.page, "board-drill-reasons-1920x1080")
    assert seen.left_origin == [] and seen.errors == []
