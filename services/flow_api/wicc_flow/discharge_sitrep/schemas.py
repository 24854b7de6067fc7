"""The derived discharge sitrep as the API shows it."""

from __future__ import annotations

from datetime import date, datetime

from pydantic import BaseModel, Field


class PathwayFigures(BaseModel):
    pathway: int
    nctr_patients: int
    discharged: int
    remaining: int


class ReasonFigures(BaseModel):
    reason: str = Field(description="A national NCTR code, or `none_recorded`")
    remaining: int


class BandFigures(BaseModel):
    band: str = Field(description="`0`, `1`, `2-3`, `4-6`, `7-13`, `14-20` or `21+` days")
    patients: int
    bed_days: int = Field(description="The sum of the band's patients' days")


class CapacityComparison(BaseModel):
    """The trust's capacity sitrep (08:00 snapshot) beside the derived figure."""

    reported: int = Field(description="`nctr_patients` of the capacity sitrep for the date")
    difference: int = Field(description="derived `nctr_patients` - reported")
    differs: bool


class DischargeSitrepRead(BaseModel):
    org: str
    system: str
    date: date
    as_of: datetime = Field(description="When it was counted (it is derived on each read)")
    reasons_version: str
    nctr_patients: int = Field(description="Ready at some point on the date")
    discharged: int = Field(description="Of those, discharged on the date")
    remaining: int = Field(description="Of those, still in hospital and ready at its end")
    by_pathway: list[PathwayFigures]
    by_reason: list[ReasonFigures] = Field(description="Remaining patients, one reason each")
    discharged_bands: list[BandFigures]
    remaining_bands: list[BandFigures]
    capacity_sitrep: CapacityComparison | None = Field(
        description="Null when the capacity sitrep for the date has not been received"
    )
