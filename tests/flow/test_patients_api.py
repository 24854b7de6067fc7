"""The discharge-ready list through the HTTP API: creating, reading and listing records,
the rules a record must keep (each 422 naming its field), duplicates and retries."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from tests.builders.patient_api import (
    NOW,
    PATIENTS,
    TODAY,
    at_now,
    create,
    created,
    nhs_number,
    patient_body,
)
from tests.support import PROBLEM, Wicc, count, field_names


@pytest.fixture
def flow(wicc: Wicc) -> Wicc:
    at_now(wicc)
    return wicc


async def test_a_record_is_created_with_its_location_and_etag_and_read_back(flow: Wicc) -> None:
    number = nhs_number()
    response = await create(flow, nhs_number=f"{number[:3]} {number[3:6]} {number[6:]}")
    assert response.status_code == 201, response.text
    body = response.json()
    assert response.headers["location"] == f"{PATIENTS}/{body['id']}"
    assert response.headers["etag"] == '"1"'
    assert body["nhs_number"] == number and body["has_nhs_number"] is True
    assert body["status"] == "ready" and body["version"] == 1
    assert body["days_since_ready"] == 2 and body["current_delay"] == "p1_care_at_home"
    # A delay sent without a responsible party gets the reason's usual owner.
    assert body["delays"][0]["responsible"] == "both" and body["delays"][0]["dtoc"] == "E"
    assert body["as_of"] == NOW.isoformat().replace("+00:00", "Z")

    read = await flow.client.get(response.headers["location"], headers=flow.auth())
    assert read.status_code == 200 and read.headers["etag"] == '"1"'
    assert read.json() == body


async def test_a_bad_nhs_number_is_a_422_naming_the_field_and_never_quoting_it(
    flow: Wicc,
) -> None:
    bad = nhs_number()[:9] + str((int(nhs_number()[9]) + 1) % 10)
    response = await create(flow, nhs_number=bad)
    assert response.status_code == 422
    assert field_names(response) == {"nhs_number"}
    assert response.json()["errors"][0]["code"] == "nhs_number_check_digit"
    assert bad not in response.text and bad[3:] not in response.text
    assert await count(flow, "SELECT count(*) FROM flow.patient") == 0


@pytest.mark.parametrize(
    ("overrides", "field", "code"),
    [
        ({"unit_id": "RN3-AMU"}, "unit_id", "unknown_code"),  # another trust's ward
        ({"destination_locality": "east"}, "destination_locality", "unknown_code"),
        (
            {"discharge_ready_date": (TODAY + timedelta(days=1)).isoformat()},
            "discharge_ready_date",
            "future_date",
        ),
        ({"admitted_at": "2026-11-17T10:00:00"}, "admitted_at", "timezone_aware"),
        (
            {"delays": [{"reason": "waiting", "from": str(TODAY)}]},
            "delays.0.reason",
            "unknown_reason",
        ),
        (
            {"delays": [{"reason": "transport", "from": str(TODAY), "to": "2026-11-20"}]},
            "delays.0.to",
            "ends_before_start",
        ),
        ({"pathway": 4}, "pathway", "less_than_equal"),
        ({"local_ref": "no spaces please"}, "local_ref", "invalid_format"),
        ({"expected_discharge_date": "2028-01-01"}, "expected_discharge_date", "implausible_date"),
    ],
)
async def test_each_rule_is_a_422_naming_its_field(
    flow: Wicc, overrides: dict[str, Any], field: str, code: str
) -> None:
    response = await create(flow, **overrides)
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    errors = {e["field"]: e["code"] for e in response.json()["errors"]}
    assert errors == {field: code}


async def test_an_unknown_trust_is_a_422_naming_org(flow: Wicc) -> None:
    response = await create(flow, org="XYZ")
    assert response.status_code == 422 and field_names(response) == {"org"}


async def test_a_second_record_of_the_same_person_or_reference_is_a_duplicate(
    flow: Wicc,
) -> None:
    first = await created(flow, nhs_number=nhs_number())
    same_ref = await create(flow, local_ref=first["local_ref"], nhs_number=nhs_number(1))
    same_person = await create(flow, local_ref="SDH-0002", nhs_number=nhs_number())
    for response, field in ((same_ref, "local_ref"), (same_person, "nhs_number")):
        assert response.status_code == 409, response.text
        problem = response.json()
        assert problem["type"] == "urn:wicc:problem:duplicate-patient"
        assert problem["existing_id"] == first["id"] and problem["field"] == field
    # Another trust may hold the same person (a transfer): not a duplicate.
    other = await create(
        flow, org="RN3", unit_id="RN3-AMU", local_ref="GWH-1", nhs_number=nhs_number()
    )
    assert other.status_code == 201, other.text


async def test_a_retried_create_with_its_idempotency_key_creates_one_record(flow: Wicc) -> None:
    headers = {"Idempotency-Key": "create-sdh-0001"}
    first = await create(flow, headers=headers)
    again = await create(flow, headers=headers)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["idempotent-replayed"] == "true"
    assert again.json() == first.json() and again.headers["etag"] == first.headers["etag"]
    assert await count(flow, "SELECT count(*) FROM flow.patient") == 1
    reused = await create(flow, headers=headers, local_ref="SDH-0002")
    assert reused.status_code == 422
    assert reused.json()["type"] == "urn:wicc:problem:idempotency-key-reused"


async def _ids(wicc: Wicc, query: str) -> list[str]:
    response = await wicc.client.get(f"{PATIENTS}{query}", headers=wicc.auth())
    assert response.status_code == 200, response.text
    return [item["local_ref"] for item in response.json()["items"]]


async def test_the_list_filters_and_pages(flow: Wicc) -> None:
    day = TODAY - timedelta(days=10)
    await created(flow, local_ref="A", pathway=1, discharge_ready_date=str(day))
    await created(
        flow,
        local_ref="B",
        pathway=3,
        destination_locality="north",
        unit_id="RNZ-MED-B",
        delays=[{"reason": "p3_care_home.nursing", "from": str(TODAY)}],
    )
    await created(flow, org="RN3", unit_id="RN3-AMU", local_ref="C", pathway=2, delays=[])
    discharged = await created(flow, local_ref="D", delays=[])
    response = await flow.client.post(
        f"{PATIENTS}/{discharged['id']}/discharge",
        json={"discharged_at": NOW.isoformat(), "destination": "usual_residence"},
        headers=flow.auth(),
    )
    assert response.status_code == 200, response.text

    assert await _ids(flow, "") == ["A", "C", "B", "D"]  # by ready date, then org and ref
    assert await _ids(flow, "?org=RN3") == ["C"]
    assert await _ids(flow, "?unit_id=RNZ-MED-B") == ["B"]
    assert await _ids(flow, "?pathway=3") == ["B"]
    assert await _ids(flow, "?locality=north") == ["B"]
    # A national code matches its local sub-codes.
    assert await _ids(flow, "?reason=p3_care_home") == ["B"]
    assert await _ids(flow, "?reason=p3_care_home.nursing") == ["B"]
    assert await _ids(flow, "?reason=p1_care_at_home") == ["A"]
    assert await _ids(flow, "?min_delay_days=3") == ["A"]
    assert await _ids(flow, "?status=discharged") == ["D"]
    assert await _ids(flow, "?status=ready&limit=2&offset=1") == ["C", "B"]
    page = (await flow.client.get(f"{PATIENTS}?limit=1", headers=flow.auth())).json()
    assert (page["total"], page["limit"], page["offset"], len(page["items"])) == (4, 1, 0, 1)
    unknown = await flow.client.get(f"{PATIENTS}?reason=nope", headers=flow.auth())
    assert unknown.status_code == 422 and field_names(unknown) == {"reason"}


async def test_the_delay_reason_lists_are_served(flow: Wicc) -> None:
    response = await flow.client.get("/flow/v1/delay-reasons", headers=flow.auth())
    assert response.status_code == 200
    body = response.json()
    assert body["version"] == "delay-reasons-v1"
    codes = [r["code"] for r in body["nctr"] if not r["local"]]
    assert len(codes) == 18 and codes[0] == "medical"
    nursing = next(r for r in body["nctr"] if r["code"] == "p3_care_home.nursing")
    assert (nursing["national"], nursing["dtoc"], nursing["local"]) == ("p3_care_home", "Dii", True)
    assert {c["code"] for c in body["dtoc"]} >= {
        "A",
        "B",
        "C",
        "Di",
        "Dii",
        "E",
        "F",
        "G",
        "H",
        "I",
    }


def test_the_body_builder_is_valid_as_it_stands() -> None:
    assert patient_body()["org"] == "RNZ"
