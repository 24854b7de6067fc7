"""The worker's daily build: once per system and day, at the time in the system file
(08:30 in the system's time zone by default), recorded in `kernel.job_run`; the next
day's summary compares with it."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.flow.summary_api import DAY, SUMMARY_SETTINGS, build, document, until_published
from tests.support import Wicc, fetch, set_clock
from wicc_flow.state import FlowState
from wicc_flow.summaries.schedule import due_day
from wicc_shared.kernel.models import CareSystem
from wicc_shared.kernel.reference import load_reference, read_reference_file

UTC = dt.UTC
REFERENCE_FILE = Path(__file__).resolve().parents[2] / "reference" / "wiltshire.yaml"


@pytest.fixture
def settings_overrides() -> dict[str, Any]:
    return SUMMARY_SETTINGS


async def _run_job(wicc: Wicc, when: dt.datetime) -> None:
    set_clock(wicc, when)
    await until_published(wicc)
    scheduler = wicc.runtime.scheduler
    assert scheduler is not None
    assert await scheduler.run_once(wicc.state(FlowState).summary_schedule, force=True)


async def _builds(wicc: Wicc) -> list[tuple[str, int, str, str]]:
    rows = await fetch(
        wicc,
        "SELECT day::text, version, trigger, built_by FROM flow.summary ORDER BY day, version",
    )
    return [(r["day"], r["version"], r["trigger"], r["built_by"]) for r in rows]


async def _job_results(wicc: Wicc) -> list[tuple[bool, str]]:
    rows = await fetch(
        wicc, "SELECT ok, result FROM kernel.job_run WHERE job = 'summary-schedule' ORDER BY id"
    )
    return [(r["ok"], r["result"]) for r in rows]


async def test_the_summary_is_built_once_at_its_time(wicc: Wicc) -> None:
    await _run_job(wicc, dt.datetime(2026, 12, 3, 8, 29, tzinfo=UTC))
    assert await _builds(wicc) == []
    await _run_job(wicc, dt.datetime(2026, 12, 3, 8, 31, tzinfo=UTC))
    await _run_job(wicc, dt.datetime(2026, 12, 3, 8, 45, tzinfo=UTC))
    assert await _builds(wicc) == [("2026-12-03", 1, "scheduled", "system:summary-schedule")]
    assert await _job_results(wicc) == [
        (True, "nothing due"),
        (True, "built wiltshire 2026-12-03 v1"),
        (True, "nothing due"),
    ]
    doc = await document(wicc)
    assert (doc["build"]["built_by"], doc["build"]["built_at"]) == (
        "scheduled",
        "2026-12-03T08:31:00Z",
    )


async def test_a_rebuild_on_demand_does_not_stop_or_repeat_the_scheduled_build(wicc: Wicc) -> None:
    set_clock(wicc, dt.datetime(2026, 12, 3, 7, 50, tzinfo=UTC))
    assert (await build(wicc)).status_code == 201  # before the call's time
    await _run_job(wicc, dt.datetime(2026, 12, 3, 8, 31, tzinfo=UTC))
    set_clock(wicc, dt.datetime(2026, 12, 3, 8, 50, tzinfo=UTC))
    assert (await build(wicc)).status_code == 201
    await _run_job(wicc, dt.datetime(2026, 12, 3, 9, 0, tzinfo=UTC))
    assert [(v, t) for _d, v, t, _b in await _builds(wicc)] == [
        (1, "on_demand"),
        (2, "scheduled"),
        (3, "on_demand"),
    ]


async def test_the_next_days_summary_compares_with_yesterdays(wicc: Wicc) -> None:
    day_one = dt.datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
    set_clock(wicc, day_one)
    assert (
        await wicc.put_beds(
            "RNZ-AMU", core_open=30, escalation_open=0, occupied=27, closed=[], as_of=day_one
        )
    ).is_success
    await _run_job(wicc, dt.datetime(2026, 12, 3, 8, 31, tzinfo=UTC))
    day_two = day_one + dt.timedelta(days=1)
    set_clock(wicc, day_two)
    assert (
        await wicc.put_beds(
            "RNZ-AMU", core_open=30, escalation_open=0, occupied=30, closed=[], as_of=day_two
        )
    ).is_success
    await _run_job(wicc, dt.datetime(2026, 12, 4, 8, 31, tzinfo=UTC))

    doc = await document(wicc, DAY + dt.timedelta(days=1))
    occupancy = next(a for a in doc["organisations"] if a["code"] == "RNZ")["beds"]["occupancy"]
    assert (occupancy["today"]["value"], occupancy["yesterday"]["value"]) == (100.0, 90.0)
    assert occupancy["change"]["value"] == 10.0
    assert occupancy["yesterday"]["source"] == "flow:/flow/v1/summaries/wiltshire/2026-12-03"
    assert occupancy["mean_7d"]["value"] == 90.0
    assert [c["text"] for c in doc["changes"]] == [
        "System: G&A occupancy 100.0 % (+10.0 points)",
        "Salisbury: G&A occupancy 100.0 % (+10.0 points)",
    ]
    assert doc["caveats"][0].startswith("History is short: summaries exist for 1 of the 7 days")
    trend = next(t for t in doc["trends"]["occupancy"] if t["subject"] == "RNZ")
    assert [p["day"] for p in trend["points"]] == ["2026-12-03", "2026-12-04"]


async def test_the_time_comes_from_the_system_file(wicc: Wicc) -> None:
    reference = read_reference_file(REFERENCE_FILE)
    earlier = reference.model_copy(
        update={"system": reference.system.model_copy(update={"summary_time": dt.time(7, 0)})}
    )
    async with wicc.runtime.transaction() as session:
        await load_reference(session, earlier)
    await _run_job(wicc, dt.datetime(2026, 12, 3, 6, 59, tzinfo=UTC))
    await _run_job(wicc, dt.datetime(2026, 12, 3, 7, 1, tzinfo=UTC))
    assert [(d, v) for d, v, _t, _b in await _builds(wicc)] == [("2026-12-03", 1)]


def _system(summary_time: dt.time = dt.time(8, 30), timezone: str = "Europe/London") -> CareSystem:
    return CareSystem(code="s", name="S", timezone=timezone, summary_time=summary_time)


@pytest.mark.parametrize(
    ("utc", "due"),
    [
        (dt.datetime(2026, 6, 15, 7, 29, tzinfo=UTC), None),  # 08:29 British Summer Time
        (dt.datetime(2026, 6, 15, 7, 30, tzinfo=UTC), dt.date(2026, 6, 15)),
        (dt.datetime(2026, 12, 3, 8, 29, tzinfo=UTC), None),  # 08:29 GMT
        (dt.datetime(2026, 12, 3, 23, 59, tzinfo=UTC), dt.date(2026, 12, 3)),
        (dt.datetime(2026, 6, 15, 23, 30, tzinfo=UTC), None),  # 00:30 on the 16th in London
    ],
)
def test_the_time_is_in_the_systems_own_zone(utc: dt.datetime, due: dt.date | None) -> None:
    assert due_day(_system(), utc) == due


def test_a_system_in_another_zone_is_due_at_its_own_time() -> None:
    eight_thirty_in_lisbon_summer = dt.datetime(
        2026, 6, 15, 8, 30, tzinfo=ZoneInfo("Europe/Lisbon")
    )
    assert due_day(_system(timezone="Europe/Lisbon"), eight_thirty_in_lisbon_summer) is not None
    assert (
        due_day(
            _system(timezone="Europe/Lisbon"),
            eight_thirty_in_lisbon_summer - dt.timedelta(seconds=1),
        )
        is None
    )
