"""Bed capacity as an HL7 FHIR R4 `MeasureReport`, in the style of the SANER IG.

The figures are the bed roll-ups' (`GET /capacity/v1/beds`), so the export and the
API can never disagree. Only the elements used are modelled here: the runtime has
no FHIR library, and the tests validate the output with one.

Choices (documented in the capacity guide):

- `measure` is WICC's own canonical, because the report's structure (one group per
  measured value, each with a `measureScore`) is not the CDC measure's (population
  counts inside `Beds` groups), so claiming that measure would mislead a receiver.
- The group codes are SANER's measured values (`numTotBeds`, ...).
- R4 does not allow an Organization as `MeasureReport.subject`; as in SANER the
  subject is a Location (the organisation's estate, or the system's area), referenced
  logically by identifier, and the `reporter` is the Organization.
"""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict
from pydantic.alias_generators import to_camel
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.rollups.schemas import AreaRollup, Rollup
from wicc_capacity.rollups.service import DEFAULT_STALE_AFTER_HOURS, bed_rollups
from wicc_shared.errors import NotFound
from wicc_shared.kernel.models import CareSystem, Organisation
from wicc_shared.kernel.reference import BedArea

FHIR_JSON = "application/fhir+json"
MEASURE = "urn:wicc:measure:bed-capacity"
MEASURED_VALUES = "http://hl7.org/fhir/uv/saner/CodeSystem/MeasuredValues"
ODS_ORGANISATION = "https://fhir.nhs.uk/Id/ods-organization-code"
# Care systems have no ODS code in the reference data, so WICC names them itself.
CARE_SYSTEM = "urn:wicc:care-system"
UCUM = "http://unitsofmeasure.org"
ICU_AREA = BedArea.adult_cc

_DISPLAY = {
    "numTotBeds": "All Hospital Beds",
    "numTotBedsOcc": "Hospital Beds Occupied",
    "numTotBedsAvail": "Hospital Beds Available",
    "numICUBeds": "ICU Beds",
    "numICUBedsOcc": "ICU Beds Occupied",
    "numICUBedsAvail": "ICU Beds Available",
}


class _Element(BaseModel):
    model_config = ConfigDict(alias_generator=to_camel, populate_by_name=True, extra="forbid")


class Identifier(_Element):
    system: str
    value: str


class Reference(_Element):
    type: str
    identifier: Identifier
    display: str | None = None


class Period(_Element):
    start: datetime
    end: datetime


class Coding(_Element):
    system: str
    code: str
    display: str


class CodeableConcept(_Element):
    coding: list[Coding]
    text: str


class Quantity(_Element):
    value: int
    unit: str = "beds"
    system: str = UCUM
    code: str = "{beds}"


class Group(_Element):
    code: CodeableConcept
    measure_score: Quantity


class MeasureReport(_Element):
    resource_type: Literal["MeasureReport"] = "MeasureReport"
    status: Literal["complete", "pending"]
    type: Literal["summary"] = "summary"
    measure: str = MEASURE
    subject: Reference
    date: datetime
    reporter: Reference
    period: Period
    group: list[Group] | None = None


async def org_measure_report(session: AsyncSession, ods: str, now: datetime) -> MeasureReport:
    org = await session.get(Organisation, ods)
    if org is None or not org.active:
        raise NotFound(f"No organisation with ODS code {ods!r}.")
    data = await bed_rollups(
        session,
        org=ods,
        system=None,
        bed_area=None,
        now=now,
        stale_after_hours=DEFAULT_STALE_AFTER_HOURS,
    )
    total = next((o for o in data.organisations if o.org == ods), None)
    identifier = Identifier(system=ODS_ORGANISATION, value=org.ods)
    return build_report(
        total,
        [a for a in data.areas if a.bed_area == ICU_AREA],
        subject=Reference(
            type="Location", identifier=identifier, display=f"{org.name} (all sites)"
        ),
        reporter=Reference(type="Organization", identifier=identifier, display=org.name),
        now=now,
    )


async def system_measure_report(session: AsyncSession, code: str, now: datetime) -> MeasureReport:
    care_system = await session.get(CareSystem, code)
    if care_system is None:
        raise NotFound(f"No care system with code {code!r}.")
    data = await bed_rollups(
        session,
        org=None,
        system=code,
        bed_area=None,
        now=now,
        stale_after_hours=DEFAULT_STALE_AFTER_HOURS,
    )
    total = next((s for s in data.systems if s.system == code), None)
    identifier = Identifier(system=CARE_SYSTEM, value=care_system.code)
    return build_report(
        total,
        [a for a in data.areas if a.bed_area == ICU_AREA],
        subject=Reference(type="Location", identifier=identifier, display=care_system.name),
        reporter=Reference(type="Organization", identifier=identifier, display=care_system.name),
        now=now,
    )


def build_report(
    total: Rollup | None,
    icu: list[AreaRollup],
    *,
    subject: Reference,
    reporter: Reference,
    now: datetime,
) -> MeasureReport:
    """A complete report of `total` (ICU from the adult critical care areas), or a
    pending one without groups when nothing in scope has ever reported."""
    if total is None or total.oldest_as_of is None or total.newest_as_of is None:
        return MeasureReport(
            status="pending",
            subject=subject,
            reporter=reporter,
            date=now,
            period=Period(start=now, end=now),
        )
    icu_open = sum(a.figures.open for a in icu)
    icu_occupied = sum(a.figures.occupied for a in icu)
    scores = {
        "numTotBeds": total.figures.open,
        "numTotBedsOcc": total.figures.occupied,
        "numTotBedsAvail": total.figures.available,
        "numICUBeds": icu_open,
        "numICUBedsOcc": icu_occupied,
        "numICUBedsAvail": icu_open - icu_occupied,
    }
    return MeasureReport(
        status="complete",
        subject=subject,
        reporter=reporter,
        date=now,
        period=Period(start=total.oldest_as_of, end=total.newest_as_of),
        group=[score_group(code, value) for code, value in scores.items()],
    )


def score_group(code: str, value: int) -> Group:
    """One measured value (a SANER code) with its count as the group's score."""
    coding = Coding(system=MEASURED_VALUES, code=code, display=_DISPLAY[code])
    return Group(
        code=CodeableConcept(coding=[coding], text=_DISPLAY[code]),
        measure_score=Quantity(value=value),
    )
