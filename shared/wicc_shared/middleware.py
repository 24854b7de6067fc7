"""Pure ASGI middleware: correlation id and request metrics (no per-request tasks)."""

from __future__ import annotations

import re
import time
import uuid

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from wicc_shared.logging import correlation_id
from wicc_shared.metrics import HTTP_REQUESTS

_SAFE_ID = re.compile(r"^[A-Za-z0-9._:-]{1,100}$")
# The server's own `send` for a WebSocket, before the framework's exception-handling
# wrappers (which only watch HTTP responses). The board sends every event to every
# client, so it skips those layers: about a tenth of its CPU per frame.
RAW_WEBSOCKET_SEND = "wicc.raw_websocket_send"


class CorrelationMiddleware:
    """Takes `X-Request-ID` (or makes one), exposes it to logs and events, echoes it."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] not in ("http", "websocket"):
            await self.app(scope, receive, send)
            return
        cid = _correlation_id(scope)
        token = correlation_id.set(cid)
        try:
            if scope["type"] == "websocket":
                # No per-frame wrapper: the board sends thousands of frames per event.
                scope[RAW_WEBSOCKET_SEND] = send
                await self.app(scope, receive, send)
            else:
                await self._http(scope, receive, send, cid)
        finally:
            correlation_id.reset(token)

    async def _http(self, scope: Scope, receive: Receive, send: Send, cid: str) -> None:
        started = time.perf_counter()
        status = 500

        async def send_with_id(message: Message) -> None:
            nonlocal status
            if message["type"] == "http.response.start":
                status = message["status"]
                message.setdefault("headers", [])
                message["headers"] = [*message["headers"], (b"x-request-id", cid.encode())]
            await send(message)

        try:
            await self.app(scope, receive, send_with_id)
        finally:
            _observe(scope, status, time.perf_counter() - started)


def _correlation_id(scope: Scope) -> str:
    incoming = dict(scope["headers"]).get(b"x-request-id", b"").decode("latin-1")
    return incoming if _SAFE_ID.match(incoming) else uuid.uuid4().hex


def _observe(scope: Scope, status: int, seconds: float) -> None:
    route = scope.get("route")
    # The route template, never the raw path: raw paths would explode label cardinality.
    template = getattr(route, "path", "unmatched")
    service = scope.get("root_path", "").strip("/") or "root"
    HTTP_REQUESTS.labels(service, scope["method"], template, str(status)).observe(seconds)
