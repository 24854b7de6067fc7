"""The machine-readable description of WICC's events (AsyncAPI 3.0).

Served without an API key, like the OpenAPI documents: it describes the shape of the
events and the board's protocol, never any data.
"""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import JSONResponse

from wicc_flow import examples
from wicc_flow.events_doc import service
from wicc_shared.openapi import json_example

router = APIRouter(prefix="/v1", tags=["events"])


@router.get(
    "/asyncapi.json",
    summary="AsyncAPI 3.0 document of WICC's events, the board's WebSocket and webhooks",
    description=(
        "Generated from the event catalogue: every event type with its payload schema "
        "and version, and the channels carrying them (the live board, webhooks). No API key is "
        "needed: it describes no data. The server's host is the one this request used."
    ),
    response_class=JSONResponse,
    responses={200: json_example(examples.ASYNCAPI)},
)
async def get_asyncapi(request: Request) -> JSONResponse:
    secure = request.url.scheme in ("https", "wss")
    return JSONResponse(service.asyncapi(request.url.netloc, secure=secure))
