"""The delay-reason lists in use (reference data, versioned)."""

from __future__ import annotations

from fastapi import APIRouter

from wicc_flow.delay_reasons.schemas import DelayReasonsRead, DtocCategoryRead, NctrReasonRead
from wicc_flow.patients import examples
from wicc_flow.state import FlowStateDep
from wicc_shared.auth import PrincipalDep
from wicc_shared.openapi import json_example, problem_responses

router = APIRouter(prefix="/v1/delay-reasons", tags=["patients"])


@router.get(
    "",
    response_model=DelayReasonsRead,
    summary="The delay-reason lists: national NCTR, DTOC, and local codes",
    description=(
        "The version of `reference/delay-reasons/` in use (`WICC_DELAY_REASONS_FILE`): "
        "each NCTR reason (national, then local sub-codes with their national parent) "
        "with its usual owner and DTOC category, and the DTOC categories. Any key."
    ),
    responses=problem_responses(401) | {200: json_example(examples.DELAY_REASONS)},
)
async def delay_reasons(state: FlowStateDep, _principal: PrincipalDep) -> DelayReasonsRead:
    reasons = state.patients.reasons
    return DelayReasonsRead(
        version=reasons.version,
        nctr=[
            NctrReasonRead(
                code=r.code,
                number=r.number,
                name=r.name,
                national=r.national,
                responsible=r.responsible,
                dtoc=r.dtoc,
                local=r.is_local,
            )
            for r in (*reasons.national, *reasons.local)
        ],
        dtoc=[
            DtocCategoryRead(code=c.code, name=c.name, responsible=c.responsible)
            for c in reasons.dtoc_categories
        ],
    )
