"""What the browser tests of the board page share: bed reports as a bed bureau sends
them, a signed-in viewer, taking the board away as a restart does, and the check that
the page fits the screen."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from playwright.async_api import Browser, ViewportSize

from tests.flow.browser import WALL, Visit, visit
from tests.support import Wicc
from wicc_flow.board.hub import BoardHub
from wicc_flow.state import FlowState

LIVE_WITHIN_MS = 1_000


class Reports:
    """Bed reports with a newer `as_of` each time, as a bed bureau sends them."""

    def __init__(self, wicc: Wicc, start: datetime | None = None) -> None:
        self.wicc = wicc
        self.as_of = start or datetime.now(UTC) - timedelta(minutes=30)

    async def beds(self, unit_id: str, **figures: Any) -> dict[str, Any]:
        self.as_of += timedelta(seconds=30)
        response = await self.wicc.put_beds(unit_id, as_of=self.as_of, **figures)
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        return body


async def signed_in(browser: Browser, wicc: Wicc, viewport: ViewportSize = WALL) -> Visit:
    seen = await visit(browser, wicc.base_url, viewport)
    await seen.sign_in(await wicc.key("viewer", system="wiltshire"))
    return seen


def hub_of(wicc: Wicc) -> BoardHub:
    hub: BoardHub = wicc.state(FlowState).hub
    return hub


def take_the_board_away(wicc: Wicc) -> BoardHub:
    """The flow service's board goes away, as while it restarts: it closes every board
    socket (1013, "reconnect with since") and refuses new ones until it is back
    (`hub.ready = True`)."""
    hub = hub_of(wicc)
    hub.ready = False
    for client in list(hub.clients):
        hub.drop(client, "send_failed")
    return hub


async def assert_fits(seen: Visit, height: int) -> None:
    """No scrolling, and every tile wholly on the screen."""
    scroll = await seen.page.evaluate(
        "[document.scrollingElement.scrollHeight, document.querySelector('main').scrollHeight,"
        " document.querySelector('main').clientHeight]"
    )
    assert scroll[0] <= height and scroll[1] <= scroll[2], scroll
    for tile in await seen.page.locator(".tile").all():
        box = await tile.bounding_box()
        assert box is not None and box["y"] + box["height"] <= height, box


async def cut_off(seen: Visit, selector: str) -> list[str]:
    """What `selector` finds that shows less than its content (a tile or a one-line text
    hides its overflow): taller or wider than its box, named by its org or its text."""
    found: list[str] = await seen.page.evaluate(
        """(selector) => [...document.querySelectorAll(selector)].flatMap((node) => {
             const over = Math.max(node.scrollHeight - node.clientHeight,
                                   node.scrollWidth - node.clientWidth);
             return over > 1 ? [`${node.dataset.org ?? node.textContent}: ${over} px over`] : [];
           })""",
        selector,
    )
    return found
