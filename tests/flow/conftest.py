"""Fixtures of the flow tests: one headless Chromium per test session for the browser
tests, and a webhook receiver."""

from __future__ import annotations

import contextlib
from collections.abc import AsyncIterator

import pytest
from playwright.async_api import Browser, async_playwright

from tests.flow.browser import CHROMIUM, CHROMIUM_ARGS, MISSING_CHROMIUM
from tests.flow.webhook_receiver import Receiver


@pytest.fixture(scope="session")
async def browser() -> AsyncIterator[Browser]:
    """Debian's Chromium, headless. Each test opens its own context (a fresh profile:
    no storage, cookies or cache shared between tests)."""
    if not CHROMIUM.exists():
        pytest.skip(MISSING_CHROMIUM)
    async with async_playwright() as playwright:
        launched = await playwright.chromium.launch(
            executable_path=str(CHROMIUM), args=CHROMIUM_ARGS
        )
        try:
            yield launched
        finally:
            with contextlib.suppress(Exception):  # already gone if Chromium crashed
                await launched.close()


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    """A webhook receiver on 127.0.0.1 answering 204 to every callback."""
    running = await Receiver().start()
    yield running
    await running.stop()
