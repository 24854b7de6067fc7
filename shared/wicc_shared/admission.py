"""Admission control: shed load instead of queueing without bound.

Beyond what a process can serve, every extra request in flight only waits: for the event
loop, for a database connection. Latency then grows without limit for everyone, and the
process's memory with it. So each process admits at most `limit` requests at once (sized
to its database pool); the next one is answered at once with 503 problem+json and a
`Retry-After`, which costs a fraction of serving it, and the requests already admitted
keep their latency. Health, readiness and metrics are never refused, so an orchestrator
sees an overloaded process as alive (and not ready only when its dependencies are down),
and WebSockets are not counted: an open board costs nothing until an event arrives.
"""

from __future__ import annotations

import json
from collections.abc import Collection

from prometheus_client import Counter, Gauge
from starlette.types import ASGIApp, Receive, Scope, Send

from wicc_shared.errors import PROBLEM_MEDIA_TYPE, TYPE_PREFIX

SHED = Counter("wicc_requests_shed_total", "Requests refused because the process was full")
IN_FLIGHT = Gauge("wicc_requests_in_flight", "HTTP requests being served by this process")
EXEMPT_SUFFIXES = ("/healthz", "/readyz", "/metrics")


class AdmissionControl:
    def __init__(
        self,
        app: ASGIApp,
        *,
        limit: int,
        retry_after_seconds: int = 1,
        exempt_suffixes: Collection[str] = EXEMPT_SUFFIXES,
    ) -> None:
        self.app = app
        self.limit = limit
        self.in_flight = 0
        self.retry_after = str(retry_after_seconds)
        self.exempt = tuple(exempt_suffixes)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"].endswith(self.exempt):
            await self.app(scope, receive, send)
            return
        if self.in_flight >= self.limit:
            SHED.inc()
            await self._refuse(scope, send)
            return
        self.in_flight += 1
        IN_FLIGHT.set(self.in_flight)
        try:
            await self.app(scope, receive, send)
        finally:
            self.in_flight -= 1
            IN_FLIGHT.set(self.in_flight)

    async def _refuse(self, scope: Scope, send: Send) -> None:
        body = json.dumps(
            {
                "type": TYPE_PREFIX + "overloaded",
                "title": "The service is at capacity",
                "status": 503,
                "detail": "Too many requests in flight; nothing was changed. Retry shortly.",
                "instance": scope["path"],
            }
        ).encode()
        headers = [
            (b"content-type", PROBLEM_MEDIA_TYPE.encode()),
            (b"content-length", str(len(body)).encode()),
            (b"retry-after", self.retry_after.encode()),
        ]
        await send({"type": "http.response.start", "status": 503, "headers": headers})
        await send({"type": "http.response.body", "body": body})
