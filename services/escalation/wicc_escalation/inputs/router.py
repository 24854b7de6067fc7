"""The figures OPEL scoring will use, with their age (scoring itself comes later)."""

from __future__ import annotations

from fastapi import APIRouter

from wicc_escalation.inputs import service
from wicc_escalation.inputs.schemas import GaOccupancy
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import json_example, problem_responses

router = APIRouter(prefix="/v1/inputs", tags=["OPEL inputs"])

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
    return await service.ga_occupancy(session, ods, clock())
