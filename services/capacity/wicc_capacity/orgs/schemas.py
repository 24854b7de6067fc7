"""Reference data as the API shows it."""

from __future__ import annotations

from pydantic import BaseModel


class UnitRead(BaseModel):
    id: str
    name: str
    bed_area: str
    baseline_beds: int | None


class SiteRead(BaseModel):
    code: str
    name: str
    locality: str | None
    units: list[UnitRead]


class OrganisationRead(BaseModel):
    ods: str
    name: str
    kind: str
    system: str
    locality: str | None
    sites: list[SiteRead]
