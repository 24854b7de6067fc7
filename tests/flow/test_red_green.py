"""Red and green days: one colour per patient per day (re-recording replaces it, audited),
each ward's share of green days, and a day nobody marked shown as not recorded."""

from __future__ import annotations

import json
from datetime import timedelta

import httpx
import pytest

from tests.builders.patient_api import NOW, PATIENTS, TODAY, at_now, created
from tests.support import Wicc, events_of, fetch, field_names
from wicc_flow.red_green.reasons import RedReason
from wicc_flow.red_green.shares import PatientOnDay, ward_shares


@pytest.fixture
def flow(wicc: Wicc) -> Wicc:
    at_now(wicc)
    return wicc


async def mark(
    wicc: Wicc, patient_id: str, colour: str, reason: str | None = None, day: str = str(TODAY)
) -> httpx.Response:
    body = {"colour": colour, "recorded_by": "Sister, Ward A"}
    if reason is not None:
        body["reason"] = reason
    return await wicc.client.put(
        f"{PATIENTS}/{patient_id}/days/{day}", json=body, headers=wicc.auth()
    )


async def test_one_colour_per_day_re_recording_replaces_it_and_is_audited(flow: Wicc) -> None:
    record = await created(flow)
    first = await mark(flow, record["id"], "red", "awaiting_test_result")
    assert first.status_code == 201, first.text
    assert (first.json()["reason_group"], first.json()["unit_id"]) == ("internal", "RNZ-MED-A")
    same = await mark(flow, record["id"], "red", "awaiting_test_result")
    assert same.status_code == 200
    second = await mark(flow, record["id"], "green")
    assert second.status_code == 200 and second.json()["colour"] == "green"
    days = (await flow.client.get(f"{PATIENTS}/{record['id']}/days", headers=flow.auth())).json()
    assert [(d["date"], d["colour"]) for d in days["items"]] == [(str(TODAY), "green")]
    audit = await fetch(
        flow,
        "SELECT before, after FROM kernel.audit_log WHERE action = 'patient_day.recorded' "
        "ORDER BY id",
    )
    assert [json.loads(a["after"])["colour"] for a in audit] == ["red", "green"]
    assert json.loads(audit[1]["before"])["reason"] == "awaiting_test_result"
    events = await events_of(flow, "patient_day.recorded", 2)
    assert [(e.data["colour"], e.data["reason"]) for e in events] == [
        ("red", "awaiting_test_result"),
        ("green", None),
    ]
    assert all("recorded_by" not in e.data for e in events)  # who marked it stays in flow


@pytest.mark.parametrize(
    ("colour", "reason", "day", "field", "code"),
    [
        ("red", None, str(TODAY), "reason", "reason_required"),
        ("green", "no_plan", str(TODAY), "reason", "not_applicable"),
        ("green", None, str(TODAY + timedelta(days=1)), "date", "future_date"),
        ("green", None, str(TODAY - timedelta(days=40)), "date", "before_admission"),
        ("amber", None, str(TODAY), "colour", "enum"),
    ],
)
async def test_a_day_must_make_sense(
    flow: Wicc, colour: str, reason: str | None, day: str, field: str, code: str
) -> None:
    record = await created(flow)
    response = await mark(flow, record["id"], colour, reason, day=day)
    assert response.status_code == 422, response.text
    assert field_names(response) == {field}
    assert response.json()["errors"][0]["code"] == code


async def test_each_wards_share_of_green_days_never_assumes_green(flow: Wicc) -> None:
    a = await created(flow, local_ref="A")
    b = await created(flow, local_ref="B")
    await created(flow, local_ref="C")  # nobody marks C's day
    d = await created(flow, local_ref="D", unit_id="RNZ-MED-B")
    await mark(flow, a["id"], "green")
    await mark(flow, b["id"], "red", "awaiting_care_package")
    await mark(flow, d["id"], "red", "no_plan")
    viewer = await flow.key("viewer", system="wiltshire")
    response = await flow.client.get(
        f"/flow/v1/red-green?date={TODAY}&org=RNZ", headers=flow.auth(viewer)
    )
    assert response.status_code == 200, response.text
    body = response.json()
    wards = {w["unit_id"]: w for w in body["items"]}
    med_a = wards["RNZ-MED-A"]
    assert (med_a["patients"], med_a["green"], med_a["red"], med_a["not_recorded"]) == (3, 1, 1, 1)
    assert med_a["green_pct"] == 33.3  # one of three, not one of two
    assert (med_a["red_internal"], med_a["red_external"]) == (0, 1)
    assert wards["RNZ-MED-B"]["red_by_reason"] == [
        {"reason": "no_plan", "group": "internal", "patients": 1}
    ]
    one = await flow.client.get(
        f"/flow/v1/red-green?date={TODAY}&unit_id=RNZ-MED-B", headers=flow.auth()
    )
    assert [w["unit_id"] for w in one.json()["items"]] == ["RNZ-MED-B"]
    # Before anyone was admitted, no ward had patients.
    empty = await flow.client.get(
        f"/flow/v1/red-green?date={TODAY - timedelta(days=60)}", headers=flow.auth()
    )
    assert empty.json()["items"] == []
    assert body["as_of"] == NOW.isoformat().replace("+00:00", "Z")


def test_a_ward_that_records_nothing_is_zero_percent_green() -> None:
    days = [PatientOnDay("RNZ", "W", None, None) for _ in range(4)]
    [share] = ward_shares(days)
    assert (share.patients, share.green, share.not_recorded, share.green_pct) == (4, 0, 4, 0.0)
    [mixed] = ward_shares(
        [
            PatientOnDay("RNZ", "W", "red", RedReason.awaiting_transport),
            PatientOnDay("RNZ", "W", "red", RedReason.awaiting_transport),
            PatientOnDay("RNZ", "W", "red", RedReason.awaiting_test),
            PatientOnDay("RNZ", "W", "green", None),
        ]
    )
    assert mixed.red_by_reason == ((RedReason.awaiting_transport, 2), (RedReason.awaiting_test, 1))
    assert (mixed.red_internal, mixed.red_external, mixed.green_pct) == (1, 2, 25.0)
