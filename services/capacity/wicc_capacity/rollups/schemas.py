"""Response bodies for bed roll-ups."""

from __future__ import annotations

from datetime import datetime
from enum import StrEnum

from pydantic import BaseModel, Field

from wicc_shared.catalogue.beds import BedFigures


class Source(StrEnum):
    units = "units"
    sitrep = "sitrep"


class UnitBeds(BaseModel):
    unit_id: str
    name: str
    site: str
    org: str
    system: str
    bed_area: str
    reporting: bool = Field(description="False when the unit has never reported")
    figures: BedFigures | None = Field(description="Null when not reporting (not zero beds)")
    as_of: datetime | None
    age_seconds: float | None
    stale: bool
    reported_by: str | None


class Rollup(BaseModel):
    """Sums over a scope, with how many units went in and how old the figures are."""

    figures: BedFigures
    units_total: int = Field(description="Active units in scope")
    units_reporting: int = Field(description="Units whose own figures are counted")
    units_not_reporting: list[str] = Field(description="Units in scope that have never reported")
    oldest_as_of: datetime | None = Field(description="The oldest as_of among the figures counted")
    newest_as_of: datetime | None = Field(description="The newest as_of among the figures counted")
    age_seconds: float | None = Field(description="Seconds between oldest_as_of and this response")
    stale: bool = Field(description="True when any figure counted is older than the stale limit")


# Identity fields live in bases listed after `Rollup`, because pydantic orders fields
# from the last base to the first: the scope's identity then leads each JSON object.
class _SiteKey(BaseModel):
    site: str
    name: str
    org: str
    system: str


class _AreaKey(BaseModel):
    org: str
    bed_area: str
    system: str
    source: Source | None = Field(
        description="`units` when any unit of the area reported, else `sitrep` when the "
        "organisation's sitrep gave the area, else null (no figures)"
    )


class _OrgKey(BaseModel):
    org: str
    name: str
    system: str


class _SystemKey(BaseModel):
    system: str
    name: str


class SiteRollup(Rollup, _SiteKey):
    pass


class AreaRollup(Rollup, _AreaKey):
    pass


class OrgRollup(Rollup, _OrgKey):
    pass


class SystemRollup(Rollup, _SystemKey):
    pass


class BedRollups(BaseModel):
    generated_at: datetime = Field(description="When this was computed; ages are relative to it")
    stale_after_hours: float
    units: list[UnitBeds]
    sites: list[SiteRollup]
    areas: list[AreaRollup]
    organisations: list[OrgRollup]
    systems: list[SystemRollup]
