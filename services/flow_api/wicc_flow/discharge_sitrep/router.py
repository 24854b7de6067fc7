"""The derived daily discharge sitrep (JSON, or CSV with `Accept: text/csv`)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Header, Response

from wicc_flow.discharge_sitrep import service
from wicc_flow.discharge_sitrep.negotiation import NotAcceptable, choose
from wicc_flow.discharge_sitrep.schemas import DischargeSitrepRead
from wicc_flow.patients import examples
from wicc_flow.patients.discharge_sitrep import to_csv
from wicc_flow.state import FlowStateDep
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import SessionDep
from wicc_shared.openapi import problem_responses

router = APIRouter(prefix="/v1/discharge-sitrep", tags=["discharge sitrep"])

JSON, CSV = "application/json", "text/csv"
OFFERED = (JSON, CSV)


def _responses() -> dict[int | str, dict[str, Any]]:
    responses = problem_responses(401, 404, 406, 422)
    responses[406]["description"] = "`Accept` allows neither JSON nor CSV (`not-acceptable`)"
    responses[200] = {
        "content": {
            JSON: {"example": examples.DISCHARGE_SITREP},
            CSV: {"schema": {"type": "string"}, "example": examples.DISCHARGE_SITREP_CSV},
        }
    }
    return responses


@router.get(
    "/{org}/{date}",
    response_model=DischargeSitrepRead,
    summary="A trust's acute discharge sitrep for a date, derived from its list",
    description=(
        "As the national acute discharge situation report counts it: patients no longer "
        "meeting the criteria to reside on the date, of those discharged and remaining, "
        "by pathway; remaining patients by delay reason (one each: the earliest-started "
        "delay open that day); delay bands from the discharge ready date with their bed "
        "days. When the trust's capacity sitrep for the date carries `nctr_patients`, "
        "`capacity_sitrep` sets it beside the derived figure and flags a difference. "
        "Counted on each read (`as_of`). `Accept: text/csv` returns one figure per row "
        "(docs/patient-flow.md); an `Accept` allowing neither is 406. Any key (counts "
        "only). The date may not be in the future."
    ),
    responses=_responses(),
)
async def discharge_sitrep(
    org: str,
    date: dt.date,
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    state: FlowStateDep,
    accept: Annotated[str | None, Header(max_length=500)] = None,
) -> Any:
    media = choose(accept, OFFERED)
    if media is None:
        raise NotAcceptable(
            "This report is available as application/json or text/csv.", available=list(OFFERED)
        )
    found = await service.derived(session, org, date, state.patients, now=clock())
    if media == CSV:
        return Response(
            to_csv(found.sitrep),
            media_type="text/csv; charset=utf-8",
            headers={
                "Content-Disposition": f'attachment; filename="discharge-sitrep-{org}-{date}.csv"',
                "Vary": "Accept",
            },
        )
    read: DischargeSitrepRead = service.to_read(found)
    return read
