"""Changing a record: PATCH with If-Match (no lost update between two hub staff),
discharge and withdrawal, each audited and retried safely."""

from __future__ import annotations

from datetime import timedelta

import pytest

from tests.builders.patient_api import NOW, PATIENTS, TODAY, at_now, created, nhs_number, patch
from tests.support import Wicc, count, fetch, field_names


@pytest.fixture
def flow(wicc: Wicc) -> Wicc:
    at_now(wicc)
    return wicc


async def test_a_patch_needs_if_match(flow: Wicc) -> None:
    record = await created(flow)
    for etag in (None, "*", ""):
        response = await patch(flow, record["id"], {"pathway": 2}, etag)
        assert response.status_code == 428, response.text
        assert response.json()["type"] == "urn:wicc:problem:precondition-required"
    assert (await flow.client.get(f"{PATIENTS}/{record['id']}", headers=flow.auth())).json()[
        "pathway"
    ] == 1


async def test_two_editors_of_one_version_cannot_overwrite_each_other(flow: Wicc) -> None:
    record = await created(flow)
    read = await flow.client.get(f"{PATIENTS}/{record['id']}", headers=flow.auth())
    etag = read.headers["etag"]
    # Two hub staff read version 1; the first to save wins...
    first = await patch(flow, record["id"], {"pathway": 2}, etag)
    assert first.status_code == 200, first.text
    assert first.headers["etag"] == '"2"' and first.json()["pathway"] == 2
    # ... and the second is told, instead of silently undoing the first.
    second = await patch(flow, record["id"], {"destination_locality": "north"}, etag)
    assert second.status_code == 412, second.text
    problem = second.json()
    assert problem["type"] == "urn:wicc:problem:precondition-failed"
    assert problem["current_etag"] == '"2"'
    after = (await flow.client.get(f"{PATIENTS}/{record['id']}", headers=flow.auth())).json()
    assert (after["pathway"], after["destination_locality"], after["version"]) == (2, "south", 2)
    # A weak tag never matches.
    weak = await patch(flow, record["id"], {"pathway": 3}, 'W/"2"')
    assert weak.status_code == 412


async def test_a_patch_changes_only_what_it_sends_and_is_audited(flow: Wicc) -> None:
    record = await created(flow, nhs_number=nhs_number(), expected_discharge_date=str(TODAY))
    delays = [{"reason": "p2_bed", "responsible": "health", "from": str(TODAY)}]
    response = await patch(
        flow, record["id"], {"delays": delays, "expected_discharge_date": None}, '"1"'
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["expected_discharge_date"] is None
    assert [d["reason"] for d in body["delays"]] == ["p2_bed"]
    assert body["nhs_number"] == record["nhs_number"] and body["pathway"] == 1
    [audit] = await fetch(
        flow,
        "SELECT actor, before, after FROM kernel.audit_log WHERE action = 'patient.updated'",
    )
    assert audit["actor"] == "bootstrap-admin"
    assert '"version": 1' in audit["before"] and '"version": 2' in audit["after"]
    # The audit log keeps whether there is an NHS number, never the number.
    assert record["nhs_number"] not in audit["before"] + audit["after"]

    same = await patch(flow, record["id"], {"delays": delays}, '"2"')
    assert same.status_code == 200 and same.headers["etag"] == '"2"'  # nothing changed
    assert (
        await count(flow, "SELECT count(*) FROM kernel.audit_log WHERE action = 'patient.updated'")
        == 1
    )


async def test_a_patch_keeps_the_record_rules(flow: Wicc) -> None:
    record = await created(flow)
    nulls = await patch(flow, record["id"], {"unit_id": None, "pathway": None}, '"1"')
    assert nulls.status_code == 422 and field_names(nulls) == {"unit_id", "pathway"}
    future = await patch(
        flow, record["id"], {"discharge_ready_date": str(TODAY + timedelta(days=2))}, '"1"'
    )
    assert future.status_code == 422 and field_names(future) == {"discharge_ready_date"}
    unknown = await patch(flow, record["id"], {"colour": "red"}, '"1"')
    assert unknown.status_code == 422 and field_names(unknown) == {"colour"}


async def test_an_nhs_number_can_be_added_changed_and_cleared(flow: Wicc) -> None:
    record = await created(flow)
    added = await patch(flow, record["id"], {"nhs_number": nhs_number(3)}, '"1"')
    assert added.json()["nhs_number"] == nhs_number(3)
    same = await patch(flow, record["id"], {"nhs_number": nhs_number(3)}, '"2"')
    assert same.json()["version"] == 2  # the same number again is no change
    cleared = await patch(flow, record["id"], {"nhs_number": None}, '"2"')
    assert cleared.json()["has_nhs_number"] is False and cleared.json()["version"] == 3


async def _discharge(flow: Wicc, patient_id: str, **body: str) -> dict[str, object]:
    response = await flow.client.post(
        f"{PATIENTS}/{patient_id}/discharge",
        json={"discharged_at": NOW.isoformat(), "destination": "usual_residence"} | body,
        headers=flow.auth(),
    )
    return {
        "status": response.status_code,
        "body": response.json(),
        "etag": response.headers.get("etag"),
    }


async def test_a_discharge_closes_the_record_once(flow: Wicc) -> None:
    record = await created(flow)
    first = await _discharge(flow, record["id"])
    assert first["status"] == 200 and first["etag"] == '"2"'
    body = first["body"]
    assert isinstance(body, dict)
    assert (body["status"], body["destination"], body["days_since_ready"]) == (
        "discharged",
        "usual_residence",
        2,
    )
    again = await _discharge(flow, record["id"])  # a retry: nothing changes
    assert again["status"] == 200 and again["etag"] == '"2"'
    other = await _discharge(flow, record["id"], destination="care_home_nursing")
    assert other["status"] == 409
    assert isinstance(other["body"], dict)
    assert other["body"]["type"] == "urn:wicc:problem:patient-closed"
    withdrawn = await flow.client.post(
        f"{PATIENTS}/{record['id']}/withdraw",
        json={"withdrawn_at": NOW.isoformat(), "reason": "died"},
        headers=flow.auth(),
    )
    assert withdrawn.status_code == 409
    assert (
        await count(
            flow, "SELECT count(*) FROM kernel.audit_log WHERE action = 'patient.discharged'"
        )
        == 1
    )


@pytest.mark.parametrize(
    ("discharged_at", "code"),
    [
        ((NOW + timedelta(hours=1)).isoformat(), "future_time"),
        ((NOW - timedelta(days=3)).isoformat(), "before_ready"),  # before the DRD's day
        ((NOW - timedelta(days=30)).isoformat(), "before_admission"),
    ],
)
async def test_a_discharge_time_must_be_plausible(
    flow: Wicc, discharged_at: str, code: str
) -> None:
    record = await created(flow)
    result = await _discharge(flow, record["id"], discharged_at=discharged_at)
    assert result["status"] == 422
    assert isinstance(result["body"], dict)
    assert [(e["field"], e["code"]) for e in result["body"]["errors"]] == [("discharged_at", code)]


async def test_a_withdrawal_stops_the_record_with_its_reason(flow: Wicc) -> None:
    record = await created(flow)
    response = await flow.client.post(
        f"{PATIENTS}/{record['id']}/withdraw",
        json={
            "withdrawn_at": (NOW - timedelta(hours=12)).isoformat(),
            "reason": "met_criteria_to_reside",
        },
        headers=flow.auth() | {"Idempotency-Key": "w-1"},
    )
    assert response.status_code == 200, response.text
    body = response.json()
    assert (body["status"], body["withdrawn_reason"], body["days_since_ready"]) == (
        "withdrawn",
        "met_criteria_to_reside",
        1,
    )
    # A closed record may still be corrected, but not so that it became ready after it closed.
    late = await patch(flow, record["id"], {"discharge_ready_date": str(TODAY)}, '"2"')
    assert late.status_code == 422
    assert [e["code"] for e in late.json()["errors"]] == ["after_closure"]
    fixed = await patch(flow, record["id"], {"pathway": 0}, '"2"')
    assert fixed.status_code == 200 and fixed.json()["status"] == "withdrawn"


async def test_an_unknown_record_is_404(flow: Wicc) -> None:
    missing = "00000000-0000-4000-8000-000000000000"
    assert (await flow.client.get(f"{PATIENTS}/{missing}", headers=flow.auth())).status_code == 404
    assert (await patch(flow, missing, {"pathway": 1}, '"1"')).status_code == 404
    assert (await flow.client.get(f"{PATIENTS}/not-a-uuid", headers=flow.auth())).status_code == 422
