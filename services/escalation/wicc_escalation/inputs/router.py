"""The figures OPEL scoring will use, with their age (scoring itself comes later)."""

from __future__ import annotations

from datetime import datetime

from fastapi import APIRouter
from pydantic import BaseModel, Field
from sqlalchemy import func, select
from sqlmodel import col

from wicc_escalation.inputs.models import UnitBeds
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.errors import NotFound
from wicc_shared.kernel.models import Organisation
from wicc_shared.openapi import json_example, problem_responses

router = APIRouter(prefix="/v1/inputs", tags=["OPEL inputs"])


class GaOccupancy(BaseModel):
    org: str
    open: int
    occupied: int
    occupancy_pct: float | None = Field(description="Adult G&A occupied / open x 100")
    oldest_as_of: datetime | None = Field(description="Age of the stalest unit figure included")
    age_seconds: float | None


_EXAMPLE = {
    "org": "RNZ",
    "open": 156,
    "occupied": 138,
    "occupancy_pct": 88.5,
    "oldest_as_of": "2026-11-22T07:27:04Z",
    "age_seconds": 1976.6,
}


@router.get(
    "/{ods}/ga-occupancy",
    response_model=GaOccupancy,
    summary="Adult G&A bed occupancy for one organisation, as escalation sees it",
    responses=problem_responses(401, 404) | {200: json_example(_EXAMPLE)},
)
async def ga_occupancy(
    ods: str, session: SessionDep, _principal: PrincipalDep, clock: ClockDep
) -> GaOccupancy:
    if await session.get(Organisation, ods) is None:
        raise NotFound(f"No organisation with ODS code {ods!r}.")
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(col(UnitBeds.open)), 0),
                func.coalesce(func.sum(col(UnitBeds.occupied)), 0),
                func.min(col(UnitBeds.as_of)),
            ).where(col(UnitBeds.org_ods) == ods, col(UnitBeds.bed_area) == "adult_ga")
        )
    ).one()
    open_, occupied, oldest = int(row[0]), int(row[1]), row[2]
    return GaOccupancy(
        org=ods,
        open=open_,
        occupied=occupied,
        occupancy_pct=round(100 * occupied / open_, 1) if open_ else None,
        oldest_as_of=oldest,
        age_seconds=(clock() - oldest).total_seconds() if oldest else None,
    )
