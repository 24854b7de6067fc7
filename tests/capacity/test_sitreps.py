"""The daily sitrep through the HTTP API: submit, conflicts, amendments and their
window, the deadline (status endpoint and the real worker), CSV bulk, live area
figures, scope and validation."""

from __future__ import annotations

import asyncio
import copy
import datetime as dt
from pathlib import Path
from typing import Any

import asyncpg
import httpx
import pytest
import yaml

from tests.support import ADMIN_TOKEN, Wicc, plain_url
from wicc_capacity.state import CapacityState
from wicc_shared.kernel.reference import ReferenceFile, load_reference

PROBLEM = "application/problem+json"
SITREPS = "/capacity/v1/sitreps"
UTC = dt.UTC
WILTSHIRE = Path(__file__).resolve().parents[2] / "reference" / "wiltshire.yaml"
TODAY = dt.date(2026, 11, 23)  # GMT: London time equals UTC in November
MORNING = dt.datetime(2026, 11, 23, 9, 0, tzinfo=UTC)
# Organisations of the demo system that hold beds, so must report.
MUST_REPORT = {"RD1", "RN3", "RNZ", "RVN", "WHC"}


def sitrep_body(org: str = "RNZ", date: dt.date | str = TODAY, **overrides: Any) -> dict[str, Any]:
    """A valid sitrep; override any top-level field by keyword."""
    body: dict[str, Any] = {
        "org": org,
        "date": date.isoformat() if isinstance(date, dt.date) else date,
        "beds": [
            {
                "bed_area": "adult_ga",
                "core_open": 150,
                "core_occupied": 140,
                "escalation_open": 8,
                "escalation_occupied": 6,
            },
            {
                "bed_area": "adult_cc",
                "core_open": 12,
                "core_occupied": 10,
                "escalation_open": 0,
                "escalation_occupied": 0,
            },
        ],
        "los_7_plus": 60,
        "los_14_plus": 30,
        "los_21_plus": 12,
        "beds_closed_dv": 4,
        "nctr_patients": 25,
        "ed": {
            "mean_ambulance_handover_minutes": 34.5,
            "four_hour_performance_pct": 71.2,
            "ed_majors_resus_occupancy_pct": 104.0,
            "median_time_to_treatment_minutes": 95,
            "ed_over_12h_pct": 6.1,
            "ed_referred_to_specialty_pct": 22.4,
        },
    }
    body.update(overrides)
    return body


def amendment(reason: str = "corrected", **overrides: Any) -> dict[str, Any]:
    body = sitrep_body(**overrides)
    del body["org"], body["date"]
    return body | {"reason": reason}


def at(when: dt.datetime) -> Any:
    return lambda: when


def set_clock(wicc: Wicc, when: dt.datetime) -> None:
    wicc.runtime.clock = at(when)


async def post_sitrep(
    wicc: Wicc,
    body: dict[str, Any],
    token: str | None = ADMIN_TOKEN,
    key: str | None = None,
) -> httpx.Response:
    headers = wicc.auth(token) | ({"Idempotency-Key": key} if key else {})
    return await wicc.client.post(SITREPS, json=body, headers=headers)


async def put_sitrep(
    wicc: Wicc,
    org: str,
    date: dt.date,
    body: dict[str, Any],
    token: str | None = ADMIN_TOKEN,
    key: str | None = None,
) -> httpx.Response:
    headers = wicc.auth(token) | ({"Idempotency-Key": key} if key else {})
    return await wicc.client.put(f"{SITREPS}/{org}/{date}", json=body, headers=headers)


async def fetch(wicc: Wicc, sql: str, *args: Any) -> list[asyncpg.Record]:
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:
        return list(await conn.fetch(sql, *args))
    finally:
        await conn.close()


async def count(wicc: Wicc, sql: str, *args: Any) -> int:
    rows = await fetch(wicc, sql, *args)
    return int(rows[0][0])


def field_names(response: httpx.Response) -> set[str]:
    assert response.headers["content-type"] == PROBLEM, response.text
    return {e["field"] for e in response.json()["errors"]}


async def events_of(wicc: Wicc, type_: str, expected: int, timeout: float = 10.0) -> list[Any]:
    """Events of one type on the stream, polling (bounded) until `expected` arrived."""
    deadline = asyncio.get_running_loop().time() + timeout
    while True:
        found = [e for e in await wicc.runtime.stream.read_after(0) if e.type == type_]
        if len(found) >= expected or asyncio.get_running_loop().time() > deadline:
            return found
        await asyncio.sleep(0.05)


@pytest.fixture
async def morning(wicc: Wicc) -> Wicc:
    """The system at 09:00 on TODAY (before the 11:00 deadline)."""
    set_clock(wicc, MORNING)
    return wicc


# --- submitting -------------------------------------------------------------------


async def test_submit_records_version_one_and_announces_it(morning: Wicc) -> None:
    wicc = morning
    token = await wicc.key("bed_manager", org="RNZ")
    response = await post_sitrep(wicc, sitrep_body(), token=token)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{SITREPS}/RNZ/{TODAY}"
    body = response.json()
    assert body["org"] == "RNZ" and body["date"] == TODAY.isoformat() and body["version"] == 1
    assert body["figures"]["beds"][0]["core_occupied"] == 140
    assert body["totals"] == {
        "open": 170,
        "occupied": 156,
        "occupancy_pct": 91.8,
        "escalation_open": 8,
        "nctr_pct_of_occupied": 16.0,
    }
    assert body["late"] is False
    assert body["deadline"].startswith("2026-11-23T11:00:00")
    assert body["submitted_at"].startswith("2026-11-23T09:00:00")

    current = await wicc.client.get(f"{SITREPS}/RNZ/{TODAY}", headers=wicc.auth(token))
    assert current.status_code == 200 and current.json() == body
    [event] = await events_of(wicc, "sitrep.submitted", 1)
    assert event.subject == f"sitreps/RNZ/{TODAY}"
    assert event.data["org"] == "RNZ" and event.data["system"] == "wiltshire"
    assert event.data["totals"]["occupied"] == 156 and "submitted_by" not in event.data
    audit = await fetch(
        wicc, "SELECT action, actor_role, org_ods FROM kernel.audit_log WHERE entity_type='sitrep'"
    )
    assert [tuple(r) for r in audit] == [("sitrep.submitted", "bed_manager", "RNZ")]


async def test_identical_resubmission_is_200_and_records_nothing_new(morning: Wicc) -> None:
    first = await post_sitrep(morning, sitrep_body())
    # Areas in another order are the same figures.
    reordered = sitrep_body()
    reordered["beds"].reverse()
    again = await post_sitrep(morning, reordered)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep_version") == 1
    assert await count(morning, "SELECT count(*) FROM capacity.outbox") == 1


async def test_a_different_second_sitrep_is_409_pointing_at_the_amendment(morning: Wicc) -> None:
    assert (await post_sitrep(morning, sitrep_body())).status_code == 201
    response = await post_sitrep(morning, sitrep_body(nctr_patients=26))
    assert response.status_code == 409
    problem = response.json()
    assert response.headers["content-type"] == PROBLEM
    assert problem["type"] == "urn:wicc:problem:sitrep-exists"
    assert problem["amend"] == {"method": "PUT", "href": f"{SITREPS}/RNZ/{TODAY}"}
    assert problem["current_version"] == 1
    current = await morning.client.get(f"{SITREPS}/RNZ/{TODAY}", headers=morning.auth())
    assert current.json()["figures"]["nctr_patients"] == 25


async def test_concurrent_submissions_without_a_key_create_one_sitrep(morning: Wicc) -> None:
    responses = await asyncio.gather(*(post_sitrep(morning, sitrep_body()) for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 1


# --- amendments -----------------------------------------------------------------


async def test_an_amendment_is_a_new_version_and_every_version_is_kept(morning: Wicc) -> None:
    wicc = morning
    token = await wicc.key("bed_manager", org="RNZ")
    assert (await post_sitrep(wicc, sitrep_body(), token=token)).status_code == 201
    set_clock(wicc, MORNING + dt.timedelta(hours=3))
    amended = await put_sitrep(
        wicc, "RNZ", TODAY, amendment("ward 7 was counted twice", nctr_patients=20), token=token
    )
    assert amended.status_code == 200, amended.text
    assert amended.json()["version"] == 2
    assert amended.json()["figures"]["nctr_patients"] == 20
    assert amended.json()["amended_at"].startswith("2026-11-23T12:00:00")
    assert amended.json()["late"] is False  # lateness is about the first submission

    current = (await wicc.client.get(f"{SITREPS}/RNZ/{TODAY}", headers=wicc.auth())).json()
    assert current["version"] == 2 and current["figures"]["nctr_patients"] == 20
    versions = (
        await wicc.client.get(f"{SITREPS}/RNZ/{TODAY}/versions", headers=wicc.auth())
    ).json()
    assert versions["total"] == 2
    assert [(v["version"], v["reason"]) for v in versions["items"]] == [
        (1, None),
        (2, "ward 7 was counted twice"),
    ]
    assert [v["figures"]["nctr_patients"] for v in versions["items"]] == [25, 20]
    assert versions["items"][1]["created_at"].startswith("2026-11-23T12:00:00")
    assert versions["items"][0]["submitted_by"] == versions["items"][1]["submitted_by"]

    [event] = await events_of(wicc, "sitrep.amended", 1)
    assert event.data["version"] == 2 and "reason" not in event.data
    audit = await fetch(wicc, "SELECT after FROM kernel.audit_log WHERE action = 'sitrep.amended'")
    assert "ward 7 was counted twice" in audit[0]["after"]


async def test_an_identical_amendment_changes_nothing(morning: Wicc) -> None:
    await post_sitrep(morning, sitrep_body())
    response = await put_sitrep(morning, "RNZ", TODAY, amendment())
    assert response.status_code == 200 and response.json()["version"] == 1
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep_version") == 1


async def test_the_amendment_window_closes_after_fourteen_days(wicc: Wicc) -> None:
    date = dt.date(2026, 11, 9)
    set_clock(wicc, dt.datetime(2026, 11, 9, 9, 0, tzinfo=UTC))
    assert (await post_sitrep(wicc, sitrep_body(date=date))).status_code == 201

    set_clock(wicc, dt.datetime(2026, 11, 23, 23, 59, tzinfo=UTC))  # last minute of day 14
    ok = await put_sitrep(wicc, "RNZ", date, amendment(nctr_patients=1))
    assert ok.status_code == 200, ok.text
    assert ok.json()["amendable_until"].startswith("2026-11-24T00:00:00")

    set_clock(wicc, dt.datetime(2026, 11, 24, 0, 0, tzinfo=UTC))
    closed = await put_sitrep(wicc, "RNZ", date, amendment(nctr_patients=2))
    assert closed.status_code == 409
    assert closed.json()["type"] == "urn:wicc:problem:amendment-window-closed"
    assert closed.json()["amendable_until"].startswith("2026-11-24T00:00:00")
    versions = await wicc.client.get(f"{SITREPS}/RNZ/{date}/versions", headers=wicc.auth())
    assert versions.json()["total"] == 2


async def test_amending_a_sitrep_never_submitted_is_404(morning: Wicc) -> None:
    response = await put_sitrep(morning, "RNZ", TODAY, amendment())
    assert response.status_code == 404
    assert response.json()["type"] == "urn:wicc:problem:not-found"
    unknown = await morning.client.get(f"{SITREPS}/NOPE/{TODAY}", headers=morning.auth())
    assert unknown.status_code == 404


# --- scope --------------------------------------------------------------------------


async def test_a_bed_manager_cannot_submit_or_amend_another_trusts_sitrep(morning: Wicc) -> None:
    wicc = morning
    salisbury = await wicc.key("bed_manager", org="RNZ")
    assert (await post_sitrep(wicc, sitrep_body("RNZ"), token=salisbury)).status_code == 201

    submit = await post_sitrep(wicc, sitrep_body("RN3"), token=salisbury)
    assert submit.status_code == 403
    assert submit.json()["type"] == "urn:wicc:problem:forbidden" and "RN3" in submit.text

    assert (await post_sitrep(wicc, sitrep_body("RN3"))).status_code == 201  # by an admin
    amend = await put_sitrep(wicc, "RN3", TODAY, amendment(nctr_patients=1), token=salisbury)
    assert amend.status_code == 403
    assert await count(wicc, "SELECT count(*) FROM capacity.sitrep WHERE org_ods='RN3'") == 1
    assert await count(wicc, "SELECT max(version) FROM capacity.sitrep WHERE org_ods='RN3'") == 1


async def test_a_viewer_reads_but_cannot_submit(morning: Wicc) -> None:
    viewer = await morning.key("viewer", org="RNZ")
    assert (await post_sitrep(morning, sitrep_body(), token=viewer)).status_code == 403
    await post_sitrep(morning, sitrep_body())
    read = await morning.client.get(f"{SITREPS}/RNZ/{TODAY}", headers=morning.auth(viewer))
    assert read.status_code == 200
    assert (await post_sitrep(morning, sitrep_body(), token=None)).status_code == 401


# --- validation ---------------------------------------------------------------------


def _area(i: int, **changes: Any) -> dict[str, Any]:
    beds: list[dict[str, Any]] = copy.deepcopy(sitrep_body()["beds"])
    beds[i].update(changes)
    return {"beds": beds}


def _ed(**changes: Any) -> dict[str, Any]:
    return {"ed": sitrep_body()["ed"] | changes}


@pytest.mark.parametrize(
    ("overrides", "fields"),
    [
        (_area(0, core_occupied=151), {"beds.0.core_occupied"}),
        (_area(1, escalation_occupied=1), {"beds.1.escalation_occupied"}),
        (_area(0, core_open=-1), {"beds.0.core_open"}),
        (_area(0, bed_area="maternity"), {"beds.0.bed_area"}),
        (_area(1, bed_area="adult_ga"), {"beds.1.bed_area"}),
        ({"los_21_plus": 31}, {"los_21_plus"}),
        ({"los_14_plus": 61}, {"los_14_plus"}),
        ({"los_7_plus": 157, "los_14_plus": 30}, {"los_7_plus"}),
        ({"nctr_patients": 157}, {"nctr_patients"}),
        ({"nctr_patients": -1}, {"nctr_patients"}),
        ({"beds_closed_dv": -2}, {"beds_closed_dv"}),
        ({"los_7_plus": "sixty"}, {"los_7_plus"}),
        (_ed(four_hour_performance_pct=100.5), {"ed.four_hour_performance_pct"}),
        (_ed(ed_over_12h_pct=-0.1), {"ed.ed_over_12h_pct"}),
        (_ed(ed_referred_to_specialty_pct=101), {"ed.ed_referred_to_specialty_pct"}),
        (_ed(mean_ambulance_handover_minutes=-5), {"ed.mean_ambulance_handover_minutes"}),
        ({"date": "2026-11-24"}, {"date"}),
        ({"date": "2026-11-08"}, {"date"}),
        ({"org": "NOWHERE"}, {"org"}),
        ({"beds": []}, {"beds"}),
        ({"bed_count": 3}, {"bed_count"}),
        (
            {
                **_area(0, core_occupied=200),
                "los_14_plus": 61,
                "los_21_plus": 62,
                "date": "2027-01-01",
            },
            {"beds.0.core_occupied", "los_21_plus", "los_14_plus", "date"},
        ),
    ],
)
async def test_bad_values_are_422_naming_each_field(
    morning: Wicc, overrides: dict[str, Any], fields: set[str]
) -> None:
    response = await post_sitrep(morning, sitrep_body(**overrides))
    assert response.status_code == 422, response.text
    assert response.json()["type"] == "urn:wicc:problem:validation-error"
    assert field_names(response) == fields
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 0


async def test_ed_occupancy_may_exceed_100_and_ed_may_be_absent(morning: Wicc) -> None:
    crowded = await post_sitrep(morning, sitrep_body(**_ed(ed_majors_resus_occupancy_pct=130)))
    assert crowded.status_code == 201, crowded.text
    community = sitrep_body("WHC", ed=None)
    community["beds"] = [{"bed_area": "community", "core_open": 66, "core_occupied": 60}]
    community.update(los_7_plus=40, los_14_plus=25, los_21_plus=15, nctr_patients=20)
    response = await post_sitrep(morning, community)
    assert response.status_code == 201, response.text
    assert response.json()["figures"]["ed"] is None
    assert response.json()["figures"]["beds"][0]["escalation_open"] == 0


async def test_an_amendment_needs_a_reason_and_valid_figures(morning: Wicc) -> None:
    await post_sitrep(morning, sitrep_body())
    no_reason = amendment()
    del no_reason["reason"]
    assert field_names(await put_sitrep(morning, "RNZ", TODAY, no_reason)) == {"reason"}
    empty = await put_sitrep(morning, "RNZ", TODAY, amendment(reason="   "))
    assert field_names(empty) == {"reason"}
    bad = await put_sitrep(morning, "RNZ", TODAY, amendment(los_21_plus=31))
    assert bad.status_code == 422 and field_names(bad) == {"los_21_plus"}


async def test_the_sitrep_date_is_a_london_day(wicc: Wicc) -> None:
    # 23:30 UTC on 1 July is 00:30 on 2 July in London (BST).
    set_clock(wicc, dt.datetime(2026, 7, 1, 23, 30, tzinfo=UTC))
    london_today = await post_sitrep(wicc, sitrep_body(date=dt.date(2026, 7, 2)))
    assert london_today.status_code == 201, london_today.text
    # Its figures describe 08:00 BST, which is 07:00 UTC.
    rows = await fetch(wicc, "SELECT as_of FROM capacity.area_beds WHERE org_ods = 'RNZ'")
    assert {r["as_of"] for r in rows} == {dt.datetime(2026, 7, 2, 7, 0, tzinfo=UTC)}
    tomorrow = await post_sitrep(wicc, sitrep_body("RN3", date=dt.date(2026, 7, 3)))
    assert field_names(tomorrow) == {"date"}


# --- deadline ---------------------------------------------------------------------------


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


# --- live area figures --------------------------------------------------------------


async def _area_beds(wicc: Wicc) -> dict[str, tuple[int, int, dt.datetime]]:
    rows = await fetch(
        wicc,
        "SELECT bed_area, core_open, occupied, as_of FROM capacity.area_beds WHERE org_ods = 'RNZ'",
    )
    return {r["bed_area"]: (r["core_open"], r["occupied"], r["as_of"]) for r in rows}


async def test_area_beds_are_updated_only_by_newer_figures(morning: Wicc) -> None:
    wicc = morning
    yesterday, day_before = TODAY - dt.timedelta(days=1), TODAY - dt.timedelta(days=2)
    eight = dt.datetime(2026, 11, 23, 8, 0, tzinfo=UTC)

    await post_sitrep(wicc, sitrep_body(date=yesterday, **_area(0, core_open=149)))
    assert (await _area_beds(wicc))["adult_ga"] == (149, 146, eight - dt.timedelta(days=1))

    await post_sitrep(wicc, sitrep_body(date=TODAY))
    assert await _area_beds(wicc) == {"adult_ga": (150, 146, eight), "adult_cc": (12, 10, eight)}

    # Older figures, first submitted or amended, do not replace newer ones.
    await post_sitrep(wicc, sitrep_body(date=day_before, **_area(0, core_open=140)))
    older = await put_sitrep(wicc, "RNZ", yesterday, amendment(**_area(0, core_open=148)))
    assert older.status_code == 200
    assert (await _area_beds(wicc))["adult_ga"] == (150, 146, eight)

    # An amendment of the newest day's sitrep does, and drops an area it no longer reports.
    beds = [sitrep_body()["beds"][0] | {"core_open": 155}]
    amended = await put_sitrep(wicc, "RNZ", TODAY, amendment(beds=beds, nctr_patients=20))
    assert amended.status_code == 200, amended.text
    assert await _area_beds(wicc) == {"adult_ga": (155, 146, eight)}


# --- bulk CSV ---------------------------------------------------------------------------

CSV_HEADER = (
    "org,date,adult_ga_core_open,adult_ga_core_occupied,adult_ga_escalation_open,"
    "adult_ga_escalation_occupied,adult_cc_core_open,adult_cc_core_occupied,"
    "los_7_plus,los_14_plus,los_21_plus,beds_closed_dv,nctr_patients,"
    "mean_ambulance_handover_minutes,four_hour_performance_pct,ed_majors_resus_occupancy_pct,"
    "median_time_to_treatment_minutes,ed_over_12h_pct,ed_referred_to_specialty_pct"
)


def csv_row(org: str, ga_occupied: int = 140, los_7: str = "60", cc: str = "12,10") -> str:
    return f"{org},{TODAY},150,{ga_occupied},8,6,{cc},{los_7},30,12,4,25,34.5,71.2,104,95,6.1,22.4"


async def post_csv(
    wicc: Wicc, text: str, token: str | None = ADMIN_TOKEN, content_type: str = "text/csv"
) -> httpx.Response:
    return await wicc.client.post(
        f"{SITREPS}/bulk",
        content=text.encode(),
        headers=wicc.auth(token) | {"Content-Type": content_type},
    )


async def test_csv_accepts_the_valid_rows_and_names_the_bad_rows_fields(morning: Wicc) -> None:
    wicc = morning
    text = "\n".join(
        [
            CSV_HEADER,
            csv_row("RNZ"),
            csv_row("RN3", ga_occupied=151),  # more core beds occupied than open
            csv_row("RD1"),
            csv_row("RVN", los_7="sixty", cc=","),  # not a number; no critical care
            csv_row("NOWHERE"),
            ",,,,,,,,,,,,,,,,,,",  # a spreadsheet's blank line
        ]
    )
    response = await post_csv(wicc, text + "\n")
    assert response.status_code == 200, response.text
    result = response.json()
    assert [(a["row"], a["org"], a["outcome"]) for a in result["accepted"]] == [
        (2, "RNZ", "created"),
        (4, "RD1", "created"),
    ]
    rejected = {r["row"]: r for r in result["rejected"]}
    assert set(rejected) == {3, 5, 6}
    assert rejected[3]["org"] == "RN3"
    assert rejected[3]["type"] == "urn:wicc:problem:validation-error"
    assert [e["field"] for e in rejected[3]["errors"]] == ["adult_ga_core_occupied"]
    assert [(e["field"], e["code"]) for e in rejected[5]["errors"]] == [
        ("los_7_plus", "int_parsing")
    ]
    assert [e["field"] for e in rejected[6]["errors"]] == ["org"]
    assert (result["accepted_count"], result["rejected_count"]) == (2, 3)

    stored = await fetch(wicc, "SELECT id, org_ods FROM capacity.sitrep ORDER BY org_ods")
    assert {r["org_ods"]: str(r["id"]) for r in stored} == {
        a["org"]: a["id"] for a in result["accepted"]
    }
    assert len(await events_of(wicc, "sitrep.submitted", 2)) == 2

    # The same file again: nothing new, the accepted rows are `unchanged`.
    again = (await post_csv(wicc, text)).json()
    assert [a["outcome"] for a in again["accepted"]] == ["unchanged", "unchanged"]
    assert await count(wicc, "SELECT count(*) FROM capacity.sitrep_version") == 2


async def test_csv_rows_outside_the_keys_scope_are_rejected_alone(morning: Wicc) -> None:
    salisbury = await morning.key("bed_manager", org="RNZ")
    text = "\n".join([CSV_HEADER, csv_row("RN3"), csv_row("RNZ")])
    result = (await post_csv(morning, text, token=salisbury)).json()
    assert [a["org"] for a in result["accepted"]] == ["RNZ"]
    assert [(r["row"], r["status"]) for r in result["rejected"]] == [(2, 403)]
    assert result["rejected"][0]["type"] == "urn:wicc:problem:forbidden"


async def test_a_bad_csv_header_rejects_the_whole_file(morning: Wicc) -> None:
    text = CSV_HEADER.replace("nctr_patients", "nctr") + "\n" + csv_row("RNZ")
    response = await post_csv(morning, text)
    assert response.status_code == 422
    assert field_names(response) == {"nctr_patients", "nctr"}
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 0


async def test_csv_size_and_media_type_limits(morning: Wicc) -> None:
    too_many = "\n".join([CSV_HEADER, *(csv_row("RNZ") for _ in range(501))])
    response = await post_csv(morning, too_many)
    assert response.status_code == 413
    assert response.json()["type"] == "urn:wicc:problem:payload-too-large"
    assert response.json()["max_rows"] == 500

    too_big = CSV_HEADER + "\n" + "x" * (1024 * 1024)
    assert (await post_csv(morning, too_big)).status_code == 413

    as_json = await post_csv(morning, "{}", content_type="application/json")
    assert as_json.status_code == 415
    assert as_json.json()["type"] == "urn:wicc:problem:unsupported-media-type"

    empty = await post_csv(morning, CSV_HEADER + "\n")
    assert empty.status_code == 422 and field_names(empty) == {"body"}
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 0


async def test_concurrent_uploads_in_opposite_orders_do_not_deadlock(morning: Wicc) -> None:
    orgs = ["RNZ", "RN3", "RD1", "RVN"]
    forwards = "\n".join([CSV_HEADER, *(csv_row(org) for org in orgs)])
    backwards = "\n".join([CSV_HEADER, *(csv_row(org) for org in reversed(orgs))])
    responses = await asyncio.gather(
        *(post_csv(morning, text) for text in (forwards, backwards, forwards, backwards))
    )
    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    outcomes = sorted(a["outcome"] for r in responses for a in r.json()["accepted"])
    assert outcomes == ["created"] * 4 + ["unchanged"] * 12
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 4
