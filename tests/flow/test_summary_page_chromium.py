"""The summary page, fetched through the API by headless Chromium (Debian's
`chromium`) as a person opening the link would: the browser's own `Accept` gets the
HTML page, which prints to an A4 PDF with its charts drawn."""

from __future__ import annotations

import re
from typing import Any

import pytest
from playwright.async_api import Browser, Route, ViewportSize

from tests.flow.browser import ARTIFACTS, serious_violations
from tests.flow.summary_api import SUMMARY_SETTINGS, build, summary_path
from tests.flow.summary_scenario import wiltshire_morning
from tests.support import Wicc

pytestmark = pytest.mark.slow
A4: ViewportSize = {"width": 794, "height": 1123}  # 210 x 297 mm at 96 px per inch


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return SUMMARY_SETTINGS


async def test_the_page_opens_in_chromium_with_its_charts_and_prints(
    wicc: Wicc, browser: Browser
) -> None:
    await wiltshire_morning(wicc)
    assert (await build(wicc)).status_code == 201
    context = await browser.new_context(viewport=A4, locale="en-GB", extra_http_headers=wicc.auth())
    left: list[str] = []

    async def only_wicc(route: Route) -> None:
        if route.request.url.startswith(wicc.base_url + "/"):
            await route.continue_()
        else:
            left.append(route.request.url)
            await route.abort()

    await context.route("**/*", only_wicc)
    page = await context.new_page()
    try:
        response = await page.goto(wicc.base_url + summary_path())
        assert response is not None and response.status == 200
        assert response.headers["content-type"] == "text/html; charset=utf-8"
        assert await page.title() == "Daily system call: " + (
            "Wiltshire system (Bath and North East Somerset, Swindon and Wiltshire ICS), "
            "Thursday 3 December 2026"
        )

        charts = page.locator("figure.chart")
        assert await charts.count() == 3  # occupancy, capacity, trends (no patients yet)
        for i in range(3):
            chart = charts.nth(i)
            box = await chart.locator(".plot svg").bounding_box()
            assert box is not None and box["width"] > 600 and box["height"] > 100, box
            label = await chart.locator(".plot").get_attribute("aria-label")
            assert label and len(label) > 40  # a text alternative, in words
            assert await chart.locator(".plot svg path").count() > 20  # bars, lines, glyphs
        stale_box = page.locator(".stale-box")
        assert "Great Western" in await stale_box.inner_text()

        assert await serious_violations(page) == []
        ARTIFACTS.mkdir(parents=True, exist_ok=True)
        await page.screenshot(path=str(ARTIFACTS / "summary-a4.png"), full_page=True)
        pdf = await page.pdf(format="A4", print_background=True)
        assert pdf.startswith(b"%PDF-")
        assert len(re.findall(rb"/Type\s*/Page[^s]", pdf)) >= 2  # more than one A4 page
        assert len(pdf) > 50_000  # vector charts, not an empty page
    finally:
        await context.close()
    assert left == []  # the page needs nothing from outside WICC
