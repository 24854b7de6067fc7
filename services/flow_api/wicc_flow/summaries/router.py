"""HTTP routes of the daily summaries (thin: parse, authorise, call the service)."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

from fastapi import APIRouter, Path, Query, Request
from fastapi.responses import Response

from wicc_flow import examples
from wicc_flow.state import FlowStateDep
from wicc_flow.summaries import negotiation, rendering, service
from wicc_flow.summaries.document import SummaryDocument
from wicc_flow.summaries.schemas import SummaryBuild, SummaryBuildPage
from wicc_shared.auth import PrincipalDep
from wicc_shared.clock import ClockDep
from wicc_shared.deps import RuntimeDep, SessionDep
from wicc_shared.idempotency import IdempotencyDep, Outcome
from wicc_shared.kernel.reference import CODE
from wicc_shared.openapi import json_example, problem_responses
from wicc_shared.pagination import PageDep

router = APIRouter(prefix="/v1/summaries", tags=["summaries"])

SystemPath = Annotated[
    str, Path(pattern=CODE, max_length=40, description="Care system code", examples=["wiltshire"])
]
DatePath = Annotated[
    dt.date, Path(description="The day (in the system's time zone)", examples=["2026-12-03"])
]
_TEXT_TYPES = (negotiation.MARKDOWN, negotiation.HTML)


def _read_responses() -> dict[int | str, dict[str, Any]]:
    ok: dict[str, Any] = {
        "description": "The summary, in the format `Accept` asks for (JSON by default)",
        "model": SummaryDocument,
        "content": {
            negotiation.JSON: {"example": examples.SUMMARY_DOCUMENT},
            negotiation.MARKDOWN: {
                "schema": {"type": "string"},
                "example": examples.SUMMARY_MARKDOWN,
            },
            negotiation.HTML: {"schema": {"type": "string"}, "example": examples.SUMMARY_HTML},
        },
    }
    responses = problem_responses(401, 404, 406, 422) | {200: ok}
    responses[406]["description"] = "`Accept` allows none of the three formats"
    return responses


@router.post(
    "/{system}/{date}",
    status_code=201,
    response_model=SummaryBuild,
    summary="Build the day's summary now (a new version)",
    description=(
        "Builds today's summary of the care system from the live position (the board's "
        "picture at the end of the event log, the reference data and the figures of "
        "earlier days) and keeps it as the next version: earlier versions stay readable "
        "with `?version=`. The worker builds one version a day by itself at the "
        "system's `summary_time`; this is for a rebuild before or during the call. "
        "Only today's summary (in the system's time zone) can be built: a future date "
        "is a 422 `future_date`, a past one a 422 `past_date`. Needs an admin key, or "
        "a coordinator's key scoped to this system or one of its organisations (403). "
        "Returns 201 with `Location` set to the new version. Send an `Idempotency-Key` "
        "to make a retry safe: the same key within 24 hours returns the original "
        "response instead of building again."
    ),
    responses=problem_responses(401, 403, 404, 422) | {201: json_example(examples.SUMMARY_BUILD)},
)
async def build_summary(
    system: SystemPath,
    date: DatePath,
    session: SessionDep,
    principal: PrincipalDep,
    runtime: RuntimeDep,
    state: FlowStateDep,
    clock: ClockDep,
    idempotency: IdempotencyDep,
) -> Response:
    now = clock()

    async def write() -> Outcome:
        built = await service.build_now(
            session,
            runtime.stream,
            principal,
            system,
            date,
            now=now,
            care_freshness_hours=runtime.settings.care_freshness_hours,
            reasons=state.patients.reasons,
        )
        return Outcome.of(built, 201, {"Location": built.href})

    return await idempotency.run(session, principal, now=now, write=write)


@router.get(
    "/{system}/{date}",
    summary="A day's summary as JSON, Markdown or a print-ready HTML page",
    description=(
        "The latest version of the day's summary, or `?version=`. The format follows "
        "`Accept`: `application/json` (the document: every figure with its unit, "
        "source and `as_of`; the default), `text/markdown` (for a chat channel or an "
        "e-mail) or `text/html` (an A4 page with its charts inline as SVG). Anything "
        "else is a 406. Stale sources are named at the top of every format. Any key "
        "may read: a summary holds counts only, never a patient. 404 when the day has "
        "no summary (or not that version); 422 for a date in the future."
    ),
    response_model=None,
    responses=_read_responses(),
)
async def read_summary(
    system: SystemPath,
    date: DatePath,
    request: Request,
    session: SessionDep,
    _principal: PrincipalDep,
    clock: ClockDep,
    version: Annotated[int | None, Query(ge=1, description="A version; default the latest")] = None,
) -> Response:
    media_type = negotiation.choose(request.headers.get("accept"))
    if media_type is None:
        raise service.NotAcceptable(
            f"A summary is served as {', '.join(negotiation.OFFERED)}; "
            f"Accept: {request.headers.get('accept')!r} allows none of them."
        )
    stored = await service.stored(session, system, date, version, clock())
    text = await rendering.render(service.document_of(stored), media_type)
    content_type = f"{media_type}; charset=utf-8" if media_type in _TEXT_TYPES else media_type
    headers = {"Vary": "Accept", "Content-Location": service.to_build(stored).href}
    return Response(content=text, media_type=content_type, headers=headers)


@router.get(
    "",
    response_model=SummaryBuildPage,
    summary="Summaries built, newest first",
    description=(
        "Every build (each version) of each system's summaries, newest day first, then "
        "by system and newest version first; without the documents (follow `href`). "
        "Filter by `system` and a range of days (`from`, `to`, inclusive). An unknown "
        "system or `from` after `to` is a 422 naming the parameter."
    ),
    responses=problem_responses(401, 422) | {200: json_example(examples.SUMMARY_BUILDS)},
)
async def list_summaries(
    session: SessionDep,
    _principal: PrincipalDep,
    page: PageDep,
    system: Annotated[str | None, Query(max_length=40, description="Care system code")] = None,
    first: Annotated[dt.date | None, Query(alias="from", description="First day")] = None,
    last: Annotated[dt.date | None, Query(alias="to", description="Last day")] = None,
) -> SummaryBuildPage:
    return await service.list_builds(session, system=system, first=first, last=last, page=page)
