"""Driving WICC's pages in headless Chromium, as a person in the control room would.

The browser is Debian's `chromium` (never one downloaded by Playwright), driven through
Playwright's async API so that the page and the WICC under test share one event loop.
Every context refuses requests that leave WICC's origin and records them: the pages
must work on a network without internet.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from axe_playwright_python.async_playwright import Axe
from playwright.async_api import Browser, Locator, Page, Route, ViewportSize

CHROMIUM = Path("/usr/bin/chromium")
MISSING_CHROMIUM = (
    "Chromium is not installed (/usr/bin/chromium), so the browser tests of the board "
    "page and the API docs did not run. Install it with: apt-get install chromium"
)
CHROMIUM_ARGS = [
    "--headless",
    "--no-sandbox",
    "--disable-gpu",
    "--disable-quic",
    "--no-first-run",
    "--disable-background-networking",
    "--disable-component-update",
    "--disable-sync",
]
ARTIFACTS = Path(__file__).resolve().parents[2] / ".wicc" / "test-artifacts"
WALL: ViewportSize = {"width": 1920, "height": 1080}
LAPTOP: ViewportSize = {"width": 1366, "height": 768}
SERIOUS = {"serious", "critical"}


@dataclass
class Visit:
    """One fresh browser context on a running WICC, and what happened in it."""

    page: Page
    base_url: str
    left_origin: list[str] = field(default_factory=list)  # requests refused: not WICC's
    errors: list[str] = field(default_factory=list)  # uncaught exceptions in the page
    sockets: list[str] = field(default_factory=list)  # URLs of the WebSockets opened

    def tile(self, org: str) -> Locator:
        return self.page.locator(f'.tile[data-org="{org}"]')

    async def sign_in(self, key: str) -> None:
        await self.page.goto(f"{self.base_url}/flow/board")
        await self.page.fill("#api-key", key)
        await self.page.click("#sign-in-form button[type=submit]")
        await self.page.wait_for_selector('body[data-connection="live"]')

    async def text(self, selector: str) -> str:
        return (await self.page.locator(selector).inner_text()).strip()


async def visit(browser: Browser, base_url: str, viewport: ViewportSize = WALL) -> Visit:
    context = await browser.new_context(viewport=viewport, locale="en-GB")
    page = await context.new_page()
    seen = Visit(page=page, base_url=base_url)

    async def only_wicc(route: Route) -> None:
        url = route.request.url
        if url.startswith((base_url + "/", "data:")):
            await route.continue_()
        else:
            seen.left_origin.append(url)
            await route.abort()

    await context.route("**/*", only_wicc)
    page.on("pageerror", lambda error: seen.errors.append(str(error)))
    page.on("websocket", lambda socket: seen.sockets.append(socket.url))
    return seen


async def serious_violations(page: Page) -> list[str]:
    """axe-core's violations of impact serious or critical, one line each."""
    results: Any = await Axe().run(page)
    return [
        f"{v['id']} ({v['impact']}): {v['help']} at {[n['target'] for n in v['nodes']]}"
        for v in results.response["violations"]
        if v["impact"] in SERIOUS
    ]


async def screenshot(page: Page, name: str) -> Path:
    ARTIFACTS.mkdir(parents=True, exist_ok=True)
    path = ARTIFACTS / f"{name}.png"
    await page.screenshot(path=str(path))
    return path
