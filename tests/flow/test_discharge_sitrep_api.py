"""The derived discharge sitrep through the API: the documented worked example, CSV by
content negotiation (406 otherwise), and the check against the capacity sitrep's
`nctr_patients`, learnt from capacity's events."""

from __future__ import annotations

import asyncio
from datetime import UTC, date, datetime
from typing import Any

import pytest

from tests.builders.doc_examples import closure, examples, stay_body
from tests.builders.patient_api import PATIENTS, TODAY, at_now, created
from tests.builders.sitreps import sitrep_body
from tests.support import Wicc, field_names, set_clock

SITREP = "/flow/v1/discharge-sitrep"
[EXAMPLE] = examples("discharge-sitrep")


async def _example_list(wicc: Wicc, example: dict[str, Any]) -> None:
    for spec in example["stays"]:
        response = await wicc.client.post(PATIENTS, json=stay_body(spec), headers=wicc.auth())
        assert response.status_code == 201, response.text
        if (closing := closure(spec)) is not None:
            action, body = closing
            closed = await wicc.client.post(
                f"{PATIENTS}/{response.json()['id']}/{action}", json=body, headers=wicc.auth()
            )
            assert closed.status_code == 200, closed.text


async def _sitrep_with_comparison(wicc: Wicc, org: str, day: date) -> dict[str, Any]:
    """The sitrep once flow's consumer has learnt the capacity sitrep (bounded wait)."""
    for _ in range(200):
        response = await wicc.client.get(f"{SITREP}/{org}/{day}", headers=wicc.auth())
        assert response.status_code == 200, response.text
        body: dict[str, Any] = response.json()
        if body["capacity_sitrep"] is not None:
            return body
        await asyncio.sleep(0.05)
    raise AssertionError("the capacity sitrep never reached the flow service")


async def test_the_worked_example_through_the_api(wicc: Wicc) -> None:
    day: date = EXAMPLE["date"]
    # The morning after: E (ready on the 13th) can be listed, and the 12th is complete.
    set_clock(wicc, datetime(2024, 11, 13, 10, tzinfo=UTC))
    await _example_list(wicc, EXAMPLE)
    reported = sitrep_body("RNZ", day, nctr_patients=EXAMPLE["capacity_nctr_patients"])
    posted = await wicc.client.post("/capacity/v1/sitreps", json=reported, headers=wicc.auth())
    assert posted.status_code == 201, posted.text

    body = await _sitrep_with_comparison(wicc, EXAMPLE["org"], day)
    expect = EXAMPLE["expect"]
    assert (body["nctr_patients"], body["discharged"], body["remaining"]) == (
        expect["nctr_patients"],
        expect["discharged"],
        expect["remaining"],
    )
    assert {
        p["pathway"]: [p["nctr_patients"], p["discharged"], p["remaining"]]
        for p in body["by_pathway"]
    } == expect["by_pathway"]
    assert {r["reason"]: r["remaining"] for r in body["by_reason"] if r["remaining"]} == expect[
        "by_reason"
    ]
    for name in ("discharged_bands", "remaining_bands"):
        found = {
            f"{b['band']} day{'' if b['band'] == '1' else 's'}": [b["patients"], b["bed_days"]]
            for b in body[name]
        }
        assert {k: v for k, v in found.items() if v != [0, 0]} == expect[name]
    comparison = expect["comparison"]
    assert body["capacity_sitrep"] == {
        "reported": comparison["reported"],
        "difference": comparison["difference"],
        "differs": comparison["differs"],
    }
    assert body["system"] == "wiltshire" and body["reasons_version"] == "delay-reasons-v1"

    as_csv = await wicc.client.get(
        f"{SITREP}/RNZ/{day}", headers=wicc.auth() | {"Accept": "text/csv"}
    )
    assert as_csv.status_code == 200
    assert as_csv.headers["content-type"].startswith("text/csv")
    lines = as_csv.text.splitlines()
    assert lines[0] == "org,date,measure,breakdown,category,value"
    assert lines[1] == "RNZ,2024-11-12,nctr_patients,all,,5"
    assert lines[-1] == "RNZ,2024-11-12,nctr_patients_difference,all,,-1"


@pytest.mark.parametrize(
    ("accept", "media"),
    [
        (None, "application/json"),
        ("*/*", "application/json"),
        ("text/*", "text/csv"),
        ("application/json;q=0.5, text/csv", "text/csv"),
        ("text/csv;q=0.2, application/*;q=0.9", "application/json"),
        ("text/html, application/json", "application/json"),
    ],
)
async def test_content_negotiation(wicc: Wicc, accept: str | None, media: str) -> None:
    at_now(wicc)
    await created(wicc)
    headers = wicc.auth() | ({"Accept": accept} if accept else {})
    response = await wicc.client.get(f"{SITREP}/RNZ/{TODAY}", headers=headers)
    assert response.status_code == 200
    assert response.headers["content-type"].split(";")[0] == media


@pytest.mark.parametrize("accept", ["text/html", "application/xml, text/plain", "text/csv;q=0"])
async def test_nothing_acceptable_is_a_406(wicc: Wicc, accept: str) -> None:
    at_now(wicc)
    response = await wicc.client.get(
        f"{SITREP}/RNZ/{TODAY}", headers=wicc.auth() | {"Accept": accept}
    )
    assert response.status_code == 406
    problem = response.json()
    assert problem["type"] == "urn:wicc:problem:not-acceptable"
    assert problem["available"] == ["application/json", "text/csv"]


async def test_a_future_date_or_unknown_trust_is_refused(wicc: Wicc) -> None:
    at_now(wicc)
    future = await wicc.client.get(f"{SITREP}/RNZ/2026-11-24", headers=wicc.auth())
    assert future.status_code == 422 and field_names(future) == {"date"}
    unknown = await wicc.client.get(f"{SITREP}/NOPE/{TODAY}", headers=wicc.auth())
    assert unknown.status_code == 404


async def test_an_amended_capacity_sitrep_replaces_the_reported_figure(wicc: Wicc) -> None:
    at_now(wicc)
    await created(wicc)
    posted = await wicc.client.post(
        "/capacity/v1/sitreps", json=sitrep_body("RNZ", TODAY, nctr_patients=1), headers=wicc.auth()
    )
    assert posted.status_code == 201, posted.text
    first = await _sitrep_with_comparison(wicc, "RNZ", TODAY)
    assert first["capacity_sitrep"] == {"reported": 1, "difference": 0, "differs": False}
    amended = sitrep_body("RNZ", TODAY, nctr_patients=3)
    del amended["org"], amended["date"]
    put = await wicc.client.put(
        f"/capacity/v1/sitreps/RNZ/{TODAY}",
        json=amended | {"reason": "recount"},
        headers=wicc.auth(),
    )
    assert put.status_code == 200, put.text
    for _ in range(200):
        body = (await wicc.client.get(f"{SITREP}/RNZ/{TODAY}", headers=wicc.auth())).json()
        if body["capacity_sitrep"]["reported"] == 3:
            break
        await asyncio.sleep(0.05)
    assert body["capacity_sitrep"] == {"reported": 3, "difference": -2, "differs": True}
