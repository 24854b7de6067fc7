"""The sitrep deadline: the status endpoint, and missing sitreps announced by the real
worker's scheduled check."""

from __future__ import annotations

import datetime as dt
from pathlib import Path
from typing import Any

import yaml

from tests.builders.sitreps import TODAY, sitrep_body
from tests.capacity.sitrep_api import SITREPS, post_sitrep
from tests.support import Wicc, count, events_of, field_names, set_clock
from wicc_capacity.state import CapacityState
from wicc_shared.kernel.reference import ReferenceFile, load_reference

UTC = dt.UTC
WILTSHIRE = Path(__file__).resolve().parents[2] / "reference" / "wiltshire.yaml"
# Organisations of the demo system that hold beds, so must report.
MUST_REPORT = {"RD1", "RN3", "RNZ", "RVN", "WHC"}


async def _status(wicc: Wicc, **params: str) -> dict[str, Any]:
    response = await wicc.client.get(
        f"{SITREPS}/status", params={"system": "wiltshire", **params}, headers=wicc.auth()
    )
    assert response.status_code == 200, response.text
    result: dict[str, Any] = response.json()
    return result


def _by_org(status: dict[str, Any]) -> dict[str, str]:
    return {item["org"]: item["status"] for item in status["items"]}


async def _check_now(wicc: Wicc) -> None:
    """Run the worker's scheduled deadline check now (as a kick of the job would)."""
    scheduler = wicc.runtime.scheduler
    assert scheduler is not None, "the process runs no worker"
    assert await scheduler.run_once(wicc.state(CapacityState).deadline_check, force=True)


async def test_status_before_the_deadline_is_pending(wicc: Wicc) -> None:
    set_clock(wicc, dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    assert (await post_sitrep(wicc, sitrep_body("RNZ"))).status_code == 201
    status = await _status(wicc)  # date defaults to today in London
    assert status["date"] == TODAY.isoformat()
    assert status["deadline"].startswith("2026-11-23T11:00:00")
    assert _by_org(status) == dict.fromkeys(MUST_REPORT, "pending") | {"RNZ": "submitted"}
    assert status["counts"] == {"submitted": 1, "late": 0, "missing": 0, "pending": 4}


async def test_missing_sitreps_after_the_deadline_are_reported_and_announced_once(
    wicc: Wicc,
) -> None:
    set_clock(wicc, dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC))
    assert (await post_sitrep(wicc, sitrep_body("RNZ"))).status_code == 201
    await _check_now(wicc)  # before the deadline: nothing to announce
    set_clock(wicc, dt.datetime(2026, 11, 23, 11, 15, tzinfo=UTC))
    late = await post_sitrep(wicc, sitrep_body("RN3"))
    assert late.status_code == 201 and late.json()["late"] is True

    set_clock(wicc, dt.datetime(2026, 11, 23, 11, 30, tzinfo=UTC))
    status = await _status(wicc, date=TODAY.isoformat())
    assert _by_org(status) == {
        "RNZ": "submitted",
        "RN3": "late",
        "RD1": "missing",
        "RVN": "missing",
        "WHC": "missing",
    }
    assert status["counts"] == {"submitted": 1, "late": 1, "missing": 3, "pending": 0}
    only_missing = await _status(wicc, status="missing", limit="2")
    assert [i["org"] for i in only_missing["items"]] == ["RD1", "RVN"]
    assert only_missing["total"] == 3

    await _check_now(wicc)
    # The first check (10:00) already announced yesterday's five: the catch-up day.
    events = await events_of(wicc, "sitrep.missed", 8)
    today = [e for e in events if e.data["date"] == TODAY.isoformat()]
    assert sorted(e.data["org"] for e in today) == ["RD1", "RVN", "WHC"]
    assert {e.subject for e in today} >= {f"sitreps/RD1/{TODAY}"}

    # Later checks, and a late submission, announce nobody twice.
    assert (await post_sitrep(wicc, sitrep_body("RD1"))).status_code == 201
    await _check_now(wicc)
    await _check_now(wicc)
    assert await count(wicc, "SELECT count(*) FROM capacity.sitrep_missing") == 8
    assert (
        await count(wicc, "SELECT count(*) FROM capacity.outbox WHERE type = 'sitrep.missed'") == 8
    )
    assert len(await events_of(wicc, "sitrep.missed", 9, timeout=0.5)) == 8
    assert _by_org(await _status(wicc))["RD1"] == "late"


async def test_a_system_with_its_own_deadline_is_judged_by_it(wicc: Wicc) -> None:
    # Set in the system file, loaded as `wicc load-reference` does.
    document = yaml.safe_load(WILTSHIRE.read_text())
    document["system"]["sitrep_deadline"] = "09:30"
    async with wicc.runtime.sessions() as session, session.begin():
        await load_reference(session, ReferenceFile.model_validate(document))

    set_clock(wicc, dt.datetime(2026, 11, 23, 9, 15, tzinfo=UTC))
    on_time = await post_sitrep(wicc, sitrep_body("RNZ"))
    assert on_time.status_code == 201 and on_time.json()["late"] is False
    set_clock(wicc, dt.datetime(2026, 11, 23, 9, 45, tzinfo=UTC))  # before 11:00, after 09:30
    late = await post_sitrep(wicc, sitrep_body("RN3"))
    assert late.status_code == 201 and late.json()["late"] is True

    status = await _status(wicc, date=TODAY.isoformat())
    assert status["deadline"] == "2026-11-23T09:30:00Z"
    missing = dict.fromkeys(MUST_REPORT - {"RNZ", "RN3"}, "missing")
    assert _by_org(status) == {"RNZ": "submitted", "RN3": "late", **missing}


async def test_a_deadline_passed_while_nothing_ran_is_announced_the_next_day(
    wicc: Wicc,
) -> None:
    yesterday = TODAY - dt.timedelta(days=1)
    set_clock(wicc, dt.datetime(2026, 11, 22, 9, 0, tzinfo=UTC))  # before yesterday's deadline
    assert (await post_sitrep(wicc, sitrep_body("RNZ", date=yesterday))).status_code == 201
    # No check ran after yesterday's deadline; the first one comes the next morning.
    set_clock(wicc, dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC))
    await _check_now(wicc)
    events = await events_of(wicc, "sitrep.missed", 4)
    assert {e.data["date"] for e in events} == {yesterday.isoformat()}
    assert sorted(e.data["org"] for e in events) == sorted(set(MUST_REPORT) - {"RNZ"})


async def test_an_unknown_system_is_422_naming_it(wicc: Wicc) -> None:
    response = await wicc.client.get(
        f"{SITREPS}/status", params={"system": "atlantis"}, headers=wicc.auth()
    )
    assert response.status_code == 422
    assert field_names(response) == {"system"}
