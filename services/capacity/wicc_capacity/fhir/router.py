"""FHIR exports: bed capacity as SANER-style `MeasureReport`s (thin routes)."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter
from fastapi.responses import JSONResponse

from wicc_capacity.fhir import measure_report
from wicc_capacity.fhir.measure_report import FHIR_JSON, MeasureReport
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import problem_responses

router = APIRouter(prefix="/v1", tags=["fhir"])


class FhirJSONResponse(JSONResponse):
    media_type = FHIR_JSON


def _group(code: str, value: int) -> dict[str, Any]:
    return measure_report.score_group(code, value).model_dump(mode="json", by_alias=True)


_EXAMPLE: dict[str, Any] = {
    "resourceType": "MeasureReport",
    "status": "complete",
    "type": "summary",
    "measure": measure_report.MEASURE,
    "subject": {
        "type": "Location",
        "identifier": {"system": measure_report.ODS_ORGANISATION, "value": "RNZ"},
        "display": "Salisbury NHS Foundation Trust (all sites)",
    },
    "date": "2026-11-22T10:00:00Z",
    "reporter": {
        "type": "Organization",
        "identifier": {"system": measure_report.ODS_ORGANISATION, "value": "RNZ"},
        "display": "Salisbury NHS Foundation Trust",
    },
    "period": {"start": "2026-11-22T08:00:00Z", "end": "2026-11-22T09:30:00Z"},
    "group": [
        _group("numTotBeds", 212),
        _group("numTotBedsOcc", 198),
        _group("numTotBedsAvail", 14),
        _group("numICUBeds", 12),
        _group("numICUBedsOcc", 10),
        _group("numICUBedsAvail", 2),
    ],
}
_DESCRIPTION = (
    "An HL7 FHIR R4 `MeasureReport` (`application/fhir+json`), status `complete`, type "
    "`summary`, of the same figures as `GET /capacity/v1/beds` for this scope: "
    "`numTotBeds` = open beds (core + escalation), `numTotBedsOcc` = occupied, "
    "`numTotBedsAvail` = available; the `numICU...` groups count the adult critical care "
    "(`adult_cc`) bed area only. `period` spans the oldest to the newest `as_of` counted; "
    "`date` is when the report was made. When nothing in scope has ever reported, the "
    "report is `pending` with no groups. Errors are problem+json, as elsewhere in the API."
)
_RESPONSES = problem_responses(401, 404) | {
    200: {
        "description": "A FHIR R4 MeasureReport",
        "content": {FHIR_JSON: {"example": _EXAMPLE}},
    }
}


@router.get(
    "/orgs/{ods}/measure-report",
    response_model=MeasureReport,
    response_model_exclude_none=True,
    response_class=FhirJSONResponse,
    summary="An organisation's bed capacity as a FHIR MeasureReport (SANER)",
    description=_DESCRIPTION + " The reporter is the organisation, identified by its ODS code.",
    responses=_RESPONSES,
)
async def org_measure_report(
    ods: str, session: SessionDep, _principal: PrincipalDep, clock: ClockDep
) -> MeasureReport:
    return await measure_report.org_measure_report(session, ods, clock())


@router.get(
    "/systems/{code}/measure-report",
    response_model=MeasureReport,
    response_model_exclude_none=True,
    response_class=FhirJSONResponse,
    summary="A care system's bed capacity as a FHIR MeasureReport (SANER)",
    description=_DESCRIPTION
    + " The subject and reporter are the care system, identified in `urn:wicc:care-system`.",
    responses=_RESPONSES,
)
async def system_measure_report(
    code: str, session: SessionDep, _principal: PrincipalDep, clock: ClockDep
) -> MeasureReport:
    return await measure_report.system_measure_report(session, code, clock())
