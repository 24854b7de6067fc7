"""Response bodies for the OPEL inputs."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, Field


class GaOccupancy(BaseModel):
    org: str
    open: int
    occupied: int
    occupancy_pct: float | None = Field(description="Adult G&A occupied / open x 100")
    oldest_as_of: datetime | None = Field(description="Age of the stalest unit figure included")
    age_seconds: float | None
