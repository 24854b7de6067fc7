"""What a service is (its `ServiceSpec`), and the FastAPI app built from it.

Every service declares the same things: its routes, its typed settings and state, its
outbox, the tasks its API processes run (the board hub) and the work its worker
processes do (consumers of the event log, scheduled jobs). `process.py` turns one or
several specs into the ASGI app of one process.
"""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Coroutine, Mapping, Sequence
from dataclasses import dataclass, field
from typing import Any, Generic, TypeVar

from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from sqlalchemy import text
from starlette.requests import HTTPConnection

from wicc_shared.deps import RuntimeDep
from wicc_shared.docs_assets import install_offline_docs
from wicc_shared.errors import install_error_handlers
from wicc_shared.events.outbox import Outbox
from wicc_shared.guard import RequestGuard
from wicc_shared.openapi import document_problems, json_example, keep_null_examples
from wicc_shared.runtime import Runtime
from wicc_shared.scheduler import ScheduledJob
from wicc_shared.settings import WiccSettings

SettingsT = TypeVar("SettingsT", bound=WiccSettings)
StateT = TypeVar("StateT")
Task = Callable[[Runtime, StateT], Coroutine[Any, Any, None]]


@dataclass(frozen=True)
class ServiceSpec(Generic[SettingsT, StateT]):
    name: str
    prefix: str
    title: str
    description: str
    routers: Sequence[APIRouter]
    settings_type: type[SettingsT]
    build_state: Callable[[Runtime, SettingsT], Awaitable[StateT]]
    outbox: Outbox | None = None
    # Run in every API process (request handling's own helpers, e.g. the board hub).
    api_tasks: Sequence[Task[StateT]] = ()
    # Run in worker processes only: consumers of the event log and the like.
    worker_tasks: Sequence[Task[StateT]] = ()
    jobs: Callable[[StateT], Sequence[ScheduledJob]] = lambda _state: ()
    readiness: Mapping[str, Callable[[StateT], str]] = field(default_factory=dict)


def state_of(conn: HTTPConnection, kind: type[StateT]) -> StateT:
    """The typed state of the service `conn` was routed to."""
    state = conn.app.state.service_state
    if not isinstance(state, kind):
        raise TypeError(f"{conn.url.path} is not served by the service holding {kind.__name__}")
    return state


def build_service_app(spec: ServiceSpec[Any, Any], *, api: bool = True) -> FastAPI:
    """The service's app; without `api`, only its operations routes (a worker's)."""
    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="0.1.0",
        docs_url=None,  # served offline instead, below
        redoc_url=None,
    )
    install_offline_docs(app, spec.prefix)
    install_error_handlers(app)
    app.include_router(operations_router(spec.readiness if api else {}))
    if api:
        for router in spec.routers:
            app.include_router(router)
    # Outermost of the app's own layers, so that no route reads a body before it.
    app.add_middleware(RequestGuard, service=app)
    keep_null_examples(app)
    document_problems(app)
    return app


_UNAVAILABLE = {"postgres": "ok", "redis": "error: ConnectionError"}
_METRICS_EXAMPLE = (
    "# HELP wicc_board_clients Connected board WebSocket clients\n"
    "# TYPE wicc_board_clients gauge\n"
    "wicc_board_clients 42.0\n"
)


def operations_router(readiness: Mapping[str, Callable[[Any], str]]) -> APIRouter:
    router = APIRouter(tags=["operations"])

    @router.get(
        "/healthz",
        summary="Liveness: the process is serving",
        responses={200: json_example({"status": "ok"})},
    )
    async def healthz() -> dict[str, str]:
        return {"status": "ok"}

    @router.get(
        "/readyz",
        summary="Readiness: PostgreSQL and Redis are reachable",
        responses={
            200: json_example({"status": "ready", "checks": {"postgres": "ok", "redis": "ok"}}),
            503: {
                "description": "A dependency is unreachable",
                **json_example({"status": "unavailable", "checks": _UNAVAILABLE}),
            },
        },
    )
    async def readyz(conn: HTTPConnection, runtime: RuntimeDep) -> JSONResponse:
        checks = {"postgres": await _check_postgres(runtime), "redis": await _check_redis(runtime)}
        state = conn.app.state.service_state
        checks.update({name: check(state) for name, check in readiness.items()})
        ready = all(v == "ok" for v in checks.values())
        return JSONResponse(
            {"status": "ready" if ready else "unavailable", "checks": checks},
            status_code=200 if ready else 503,
        )

    @router.get(
        "/metrics",
        summary="Prometheus metrics",
        response_class=PlainTextResponse,
        responses={200: {"content": {"text/plain": {"example": _METRICS_EXAMPLE}}}},
    )
    async def metrics() -> PlainTextResponse:
        return PlainTextResponse(generate_latest(), media_type=CONTENT_TYPE_LATEST)

    return router


async def _check_postgres(runtime: Runtime) -> str:
    try:
        async with asyncio.timeout(2), runtime.engine.connect() as conn:
            await conn.execute(text("SELECT 1"))
    except Exception as exc:  # any failure means "not ready"; the reason is reported
        return f"error: {type(exc).__name__}"
    return "ok"


async def _check_redis(runtime: Runtime) -> str:
    try:
        async with asyncio.timeout(2):
            await runtime.redis.ping()
    except Exception as exc:  # as above
        return f"error: {type(exc).__name__}"
    return "ok"
