"""A summary built while a source is stale says so at the top, in every format, and
names the source; once the source reports again, a rebuild no longer does."""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

import pytest

from tests.flow.summary_api import MORNING, SUMMARY_SETTINGS, at_morning, build, document, read
from tests.support import Wicc

SALISBURY = "capacity:/capacity/v1/beds?org=RNZ&bed_area=adult_ga"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return SUMMARY_SETTINGS


async def test_a_stale_source_is_named_at_the_top(wicc: Wicc) -> None:
    at_morning(wicc)
    yesterday = MORNING - dt.timedelta(hours=30)
    assert (await wicc.put_beds("RNZ-AMU", as_of=yesterday)).is_success
    built = await build(wicc)
    assert built.status_code == 201
    assert built.json()["stale_sources"] >= 1

    doc = await document(wicc)
    stale = {f["source"]: f for f in doc["freshness"] if f["stale"]}
    assert stale[SALISBURY]["age_seconds"] == 30 * 3600
    salisbury = next(a for a in doc["organisations"] if a["code"] == "RNZ")
    assert salisbury["beds"]["occupancy"]["today"]["stale"] is True

    markdown = (await read(wicc, accept="text/markdown")).text
    top = markdown[: markdown.index("## What changed")]
    assert "**STALE DATA:" in top
    assert re.search(r"Bed figures, Salisbury \(adult G&A\) .*oldest figure 30 hours old", top)

    html = (await read(wicc, accept="text/html")).text
    box = html[html.index('class="stale-box"') : html.index('id="changes"')]
    assert 'role="alert"' in box
    assert "Bed figures, Salisbury (adult G&amp;A)" in box
    assert "30 hours old" in box


async def test_a_rebuild_after_the_source_reports_drops_it(wicc: Wicc) -> None:
    at_morning(wicc)
    assert (await wicc.put_beds("RNZ-AMU", as_of=MORNING - dt.timedelta(hours=30))).is_success
    assert (await build(wicc)).status_code == 201
    assert (await wicc.put_beds("RNZ-AMU", as_of=MORNING - dt.timedelta(minutes=5))).is_success
    assert (await build(wicc)).status_code == 201
    stale = {f["source"] for f in (await document(wicc))["freshness"] if f["stale"]}
    assert SALISBURY not in stale
    old = {f["source"] for f in (await document(wicc, version=1))["freshness"] if f["stale"]}
    assert SALISBURY in old  # the first version still says what it said
