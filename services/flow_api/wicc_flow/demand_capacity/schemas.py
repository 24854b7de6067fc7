"""Demand against capacity as the API shows it."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class FigureRead(BaseModel):
    provider: str = Field(description="The provider's ODS code")
    as_of: datetime
    age_seconds: float
    stale: bool = Field(description="Older than its service type's freshness limit")
    free: int


class CapacityLineRead(BaseModel):
    service_type: str
    category: str | None = Field(description="Care-home bed category; null for other services")
    fresh_free: int
    stale_free: int = Field(description="Free places in stale figures: shown, never counted")
    oldest_fresh_as_of: datetime | None
    figures: list[FigureRead]


class DemandCapacityCell(BaseModel):
    locality: str
    pathway: int = Field(description="1 home with support, 2 short-term bed, 3 care home")
    waiting: int = Field(description="Patients ready to leave, waiting, going to this locality")
    fresh_free: int = Field(description="Places free now in fresh figures")
    stale_free: int
    gap: int = Field(description="waiting - fresh_free: above 0, more wait than places are free")
    oldest_fresh_as_of: datetime | None = Field(description="The stalest fresh figure counted")
    age_seconds: float | None = Field(description="Age of `oldest_fresh_as_of`")
    lines: list[CapacityLineRead]


class DemandCapacityRead(BaseModel):
    system: str
    as_of: datetime
    cells: list[DemandCapacityCell] = Field(description="Per locality, pathways 1 to 3")
