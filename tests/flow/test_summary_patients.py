"""A built summary carries patient flow: today's patients ready to leave (from each
trust's discharge sitrep, as the board shows it), the lost bed days of the days before
(counted from the records), the delay reasons by name, and the outlook from the weeks
of patients becoming ready before today. Counts only, never a record."""

from __future__ import annotations

import datetime as dt
from typing import Any

import pytest

from tests.builders.patient_api import created, nhs_number
from tests.flow.summary_api import DAY, MORNING, SUMMARY_SETTINGS, at_morning, build, document
from tests.support import Wicc

REASON = "p1_care_at_home"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return SUMMARY_SETTINGS


def _ready(days_ago: int, pathway: int, n: int) -> dict[str, Any]:
    ready_on = DAY - dt.timedelta(days=days_ago)
    return {
        "local_ref": f"SDH-{n:04d}",
        "nhs_number": nhs_number(n),
        "admitted_at": (MORNING - dt.timedelta(days=days_ago + 10)).isoformat(),
        "discharge_ready_date": ready_on.isoformat(),
        "pathway": pathway,
        "delays": [{"reason": REASON, "from": ready_on.isoformat()}] if pathway == 1 else [],
    }


async def test_the_summary_counts_todays_waits_lost_days_and_the_outlook(wicc: Wicc) -> None:
    at_morning(wicc)
    # Ready on the same weekday one and two weeks ago (pathway 1), and yesterday (P3).
    for n, (days_ago, pathway) in enumerate([(7, 1), (14, 1), (14, 1), (1, 3)]):
        await created(wicc, **_ready(days_ago, pathway, n))
    assert (await build(wicc)).status_code == 201
    doc = await document(wicc)

    patients = doc["system"]["patients"]
    assert patients is not None, "the trust's discharge sitrep reaches the summary"
    assert patients["total"]["today"]["value"] == 4
    reasons = {r["code"]: r for r in patients["by_reason"]}
    assert reasons[REASON]["count"]["value"] == 3
    assert reasons[REASON]["label"].startswith("Pathway 1: awaiting resource")

    # Yesterday every one of the four was waiting (ready on or before it, not gone).
    assert patients["lost_bed_days_yesterday"]["value"] == 4

    outlook = doc["outlook"]
    assert outlook is not None, "two weeks of history make an outlook"
    p1 = next(p for p in outlook["pathways"] if p["pathway"] == "P1")
    today = p1["days"][0]
    assert (today["day"], today["weeks"]) == (DAY.isoformat(), 2)
    assert (today["low"], today["high"]) == (1, 2)
    assert "nhs_number" not in str(doc) and "SDH-" not in str(doc)
