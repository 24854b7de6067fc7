"""Amending a sitrep through the HTTP API: every version kept, identical amendments,
the fourteen-day window."""

from __future__ import annotations

import datetime as dt

from tests.builders.sitreps import MORNING, TODAY, amendment, sitrep_body
from tests.capacity.sitrep_api import SITREPS, post_sitrep, put_sitrep
from tests.support import Wicc, count, events_of, fetch, set_clock

UTC = dt.UTC


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
