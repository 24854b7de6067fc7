"""GET /capacity/v1/{orgs/{ods},systems/{code}}/measure-report: bed capacity as an
HL7 FHIR R4 MeasureReport (SANER measured values), equal to the bed roll-ups."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

import asyncpg
import httpx
import pytest
from fhir.resources.R4B.measurereport import MeasureReport
from pydantic import ValidationError

from tests.support import Wicc, plain_url

FHIR_JSON = "application/fhir+json"
ODS = "https://fhir.nhs.uk/Id/ods-organization-code"
MEASURED_VALUES = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues"
# The elements of MeasureReport in FHIR R4 (4.0.1). fhir.resources validates against
# R4B, whose MeasureReport has the same elements; this guards the R4 claim itself.
R4_ELEMENTS = {
    "resourceType",
    "id",
    "meta",
    "implicitRules",
    "language",
    "text",
    "contained",
    "extension",
    "modifierExtension",
    "identifier",
    "status",
    "type",
    "measure",
    "subject",
    "date",
    "reporter",
    "period",
    "improvementNotation",
    "group",
    "evaluatedResource",
}
CODES = ["numTotBeds", "numTotBedsOcc", "numTotBedsAvail", "numICUBeds", "numICUBedsOcc"]
CODES.append("numICUBedsAvail")


async def measure_report(wicc: Wicc, path: str) -> dict[str, Any]:
    response = await wicc.client.get(f"/capacity/v1/{path}/measure-report", headers=wicc.auth())
    assert response.status_code == 200, response.text
    assert response.headers["content-type"] == FHIR_JSON
    body: dict[str, Any] = response.json()
    MeasureReport.model_validate(body)  # raises unless a valid MeasureReport
    assert set(body) <= R4_ELEMENTS
    return body


async def rollup(wicc: Wicc, level: str, key: str, **params: Any) -> dict[str, Any]:
    """The roll-up at `level` (e.g. organisations) whose `key` is the filter of that name."""
    response = await wicc.client.get("/capacity/v1/beds", params=params, headers=wicc.auth())
    assert response.status_code == 200
    found: list[dict[str, Any]] = [r for r in response.json()[level] if r[key] == params[key]]
    assert len(found) == 1
    return found[0]


def scores(report: dict[str, Any]) -> dict[str, int]:
    result = {}
    for group in report["group"]:
        [coding] = group["code"]["coding"]
        assert coding["system"] == MEASURED_VALUES
        assert group["measureScore"]["unit"] == "beds"
        result[coding["code"]] = group["measureScore"]["value"]
    return result


def expected(total: dict[str, Any], icu: dict[str, Any] | None) -> dict[str, int]:
    icu_figures = icu["figures"] if icu else {"open": 0, "occupied": 0, "available": 0}
    return {
        "numTotBeds": total["figures"]["open"],
        "numTotBedsOcc": total["figures"]["occupied"],
        "numTotBedsAvail": total["figures"]["available"],
        "numICUBeds": icu_figures["open"],
        "numICUBedsOcc": icu_figures["occupied"],
        "numICUBedsAvail": icu_figures["available"],
    }


async def report_some_beds(wicc: Wicc) -> None:
    now = datetime.now(UTC)
    reports: dict[str, dict[str, Any]] = {
        "RNZ-AMU": {"core_open": 30, "escalation_open": 4, "occupied": 33},
        "RNZ-MED-A": {"core_open": 26, "escalation_open": 0, "occupied": 20},
        "RNZ-ICU": {"core_open": 10, "escalation_open": 1, "occupied": 9},
        "RN3-AMU": {"core_open": 44, "escalation_open": 2, "occupied": 46},
    }
    for unit, figures in reports.items():
        response = await wicc.put_beds(unit, as_of=now - timedelta(hours=1), **figures)
        assert response.status_code == 200, response.text
    conn = await asyncpg.connect(plain_url(wicc.settings.async_database_url))
    try:  # RN3's critical care comes from its sitrep: no RN3 ICU unit has reported
        await conn.execute(
            "INSERT INTO capacity.area_beds (org_ods, bed_area, core_open, escalation_open, "
            "occupied, as_of, source, reported_by) "
            "VALUES ('RN3', 'adult_cc', 14, 2, 15, $1, 'sitrep', 'test')",
            now - timedelta(hours=5),
        )
    finally:
        await conn.close()


async def test_org_report_is_a_valid_r4_measure_report_equal_to_the_roll_up(wicc: Wicc) -> None:
    await report_some_beds(wicc)
    report = await measure_report(wicc, "orgs/RNZ")

    assert report["resourceType"] == "MeasureReport"
    assert (report["status"], report["type"]) == ("complete", "summary")
    assert report["measure"] == "urn:wicc:measure:bed-capacity"
    assert report["reporter"]["type"] == "Organization"
    assert report["reporter"]["identifier"] == {"system": ODS, "value": "RNZ"}
    assert report["subject"]["type"] == "Location"
    assert report["subject"]["identifier"] == {"system": ODS, "value": "RNZ"}

    total = await rollup(wicc, "organisations", "org", org="RNZ")
    icu = await rollup(wicc, "organisations", "org", org="RNZ", bed_area="adult_cc")
    assert [g["code"]["coding"][0]["code"] for g in report["group"]] == CODES
    assert scores(report) == expected(total, icu)
    assert scores(report)["numTotBeds"] == 34 + 26 + 11
    assert scores(report)["numICUBedsAvail"] == 2

    period = report["period"]
    assert datetime.fromisoformat(period["start"]) == datetime.fromisoformat(total["oldest_as_of"])
    assert datetime.fromisoformat(period["end"]) == datetime.fromisoformat(total["newest_as_of"])
    assert abs(datetime.fromisoformat(report["date"]) - datetime.now(UTC)) < timedelta(minutes=1)


async def test_system_report_equals_the_system_roll_up(wicc: Wicc) -> None:
    await report_some_beds(wicc)
    report = await measure_report(wicc, "systems/wiltshire")

    assert report["status"] == "complete"
    care_system = {"system": "urn:wicc:care-system", "value": "wiltshire"}
    assert report["subject"]["identifier"] == report["reporter"]["identifier"] == care_system
    total = await rollup(wicc, "systems", "system", system="wiltshire")
    icu = await rollup(wicc, "systems", "system", system="wiltshire", bed_area="adult_cc")
    assert scores(report) == expected(total, icu)
    assert scores(report)["numICUBeds"] == 11 + 16  # RNZ's unit plus RN3's sitrep figure
    assert datetime.fromisoformat(report["period"]["start"]) == datetime.fromisoformat(
        total["oldest_as_of"]
    )


async def test_report_with_nothing_reported_is_pending_without_groups(wicc: Wicc) -> None:
    report = await measure_report(wicc, "orgs/RD1")
    assert report["status"] == "pending"
    assert "group" not in report
    assert report["period"]["start"] == report["period"]["end"] == report["date"]


@pytest.mark.parametrize("path", ["orgs/NOPE", "systems/atlantis"])
async def test_unknown_subject_is_404_problem(wicc: Wicc, path: str) -> None:
    response = await wicc.client.get(f"/capacity/v1/{path}/measure-report", headers=wicc.auth())
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/problem+json"


async def test_measure_report_needs_a_key(wicc: Wicc) -> None:
    response = await wicc.client.get("/capacity/v1/orgs/RNZ/measure-report")
    assert response.status_code == 401


def test_the_validator_rejects_what_is_not_a_measure_report() -> None:
    """The validation above can fail: a resource with a wrong element is refused."""
    with pytest.raises(ValidationError):
        MeasureReport.model_validate(
            {"resourceType": "MeasureReport", "status": "complete", "colour": "red"}
        )


async def test_openapi_documents_the_fhir_media_type(wicc: Wicc) -> None:
    response: httpx.Response = await wicc.client.get("/capacity/openapi.json")
    paths = response.json()["paths"]
    for path in ("/v1/orgs/{ods}/measure-report", "/v1/systems/{code}/measure-report"):
        get = paths[path]["get"]
        assert FHIR_JSON in get["responses"]["200"]["content"]
        assert {"401", "404"} <= set(get["responses"])
    for path in ("/v1/beds", "/v1/units/{unit_id}/beds/history"):
        assert paths[path]["get"]["summary"]
        assert "example" in paths[path]["get"]["responses"]["200"]["content"]["application/json"]
    put = paths["/v1/units/{unit_id}/bed-status/{bed_id}"]["put"]
    assert "example" in put["responses"]["200"]["content"]["application/json"]
    assert {"401", "403", "404", "409", "422"} <= set(put["responses"])
