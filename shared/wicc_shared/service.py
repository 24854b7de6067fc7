"""Building a service's app, and the process app that mounts one or several of them.

The same code serves all modes: embedded (one process, three services mounted),
compose and cluster (one service per process, still under its own prefix so the
gateway routes by prefix without rewriting paths).
"""

from __future__ import annotations

import asyncio
import contextlib
import gc
import logging
import traceback
from collections.abc import AsyncIterator, Callable, Coroutine, Sequence
from dataclasses import dataclass, field
from typing import Any

import httpx
from fastapi import APIRouter, FastAPI
from fastapi.responses import JSONResponse, PlainTextResponse
from prometheus_client import CONTENT_TYPE_LATEST, generate_latest
from redis.asyncio import Redis
from sqlalchemy import text
from starlette.types import ASGIApp, Receive, Scope, Send

from wicc_shared.db import create_engine, create_sessionmaker
from wicc_shared.deps import RuntimeDep
from wicc_shared.docs_assets import install_offline_docs
from wicc_shared.errors import install_error_handlers
from wicc_shared.events.outbox import Outbox
from wicc_shared.events.relay import OutboxRelay
from wicc_shared.events.stream import EventStream
from wicc_shared.logging import configure_logging
from wicc_shared.middleware import CorrelationMiddleware
from wicc_shared.openapi import json_example, keep_null_examples
from wicc_shared.runtime import Runtime
from wicc_shared.settings import Settings

logger = logging.getLogger(__name__)
Worker = Callable[[Runtime], Coroutine[Any, Any, None]]
ReadinessCheck = Callable[[Runtime], str]  # "ok", or why not
STOP_GRACE_SECONDS = 5.0


@dataclass
class ServiceSpec:
    name: str
    prefix: str
    title: str
    description: str
    routers: Sequence[APIRouter]
    outbox: Outbox | None = None
    workers: Sequence[Worker] = ()
    on_start: Sequence[Callable[[Runtime], Coroutine[Any, Any, None]]] = ()
    openapi_tags: list[dict[str, Any]] = field(default_factory=list)
    readiness: dict[str, ReadinessCheck] = field(default_factory=dict)


def build_service_app(spec: ServiceSpec) -> FastAPI:
    app = FastAPI(
        title=spec.title,
        description=spec.description,
        version="0.1.0",
        openapi_tags=spec.openapi_tags or None,
        docs_url=None,  # served offline instead, below
        redoc_url=None,
    )
    install_offline_docs(app, spec.prefix)
    install_error_handlers(app)
    app.include_router(operations_router(spec.readiness))
    for router in spec.routers:
        app.include_router(router)
    keep_null_examples(app)
    return app


_UNAVAILABLE = {"postgres": "ok", "redis": "error: ConnectionError"}
_METRICS_EXAMPLE = (
    "# HELP wicc_board_clients Connected board WebSocket clients\n"
    "# TYPE wicc_board_clients gauge\n"
    "wicc_board_clients 42.0\n"
)


def operations_router(readiness: dict[str, ReadinessCheck]) -> APIRouter:
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
    async def readyz(runtime: RuntimeDep) -> JSONResponse:
        checks = {"postgres": await _check_postgres(runtime), "redis": await _check_redis(runtime)}
        checks.update({name: check(runtime) for name, check in readiness.items()})
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


def create_process_app(specs: Sequence[ServiceSpec], settings: Settings) -> ProcessApp:
    """The ASGI app of one process: each service's app under its prefix."""
    service_apps = [(spec, build_service_app(spec)) for spec in specs]

    @contextlib.asynccontextmanager
    async def lifespan() -> AsyncIterator[None]:
        runtime = await open_runtime(settings, name="+".join(s.name for s in specs))
        for _spec, sub in service_apps:
            sub.state.runtime = runtime
        tasks = await _start_background(runtime, specs)
        _calm_the_garbage_collector()
        try:
            yield
        finally:
            await _stop_background(tasks)
            await close_runtime(runtime)

    # Only for paths outside every prefix: a problem+json 404 like any other.
    unmatched = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(unmatched)
    return ProcessApp([(spec.prefix, sub) for spec, sub in service_apps], lifespan, unmatched)


class ProcessApp:
    """Routes each request by path prefix to its service's app; runs the lifespan.

    A plain dispatcher, not a framework app with mounts: every request used to pass
    a second stack of middleware, exception handlers and router before it reached its
    service (about 40 us each, docs/performance.md).
    """

    def __init__(
        self,
        services: Sequence[tuple[str, FastAPI]],
        lifespan: Callable[[], contextlib.AbstractAsyncContextManager[None]],
        unmatched: ASGIApp,
    ) -> None:
        self.services = list(services)
        self._lifespan = lifespan
        self._unmatched = unmatched
        self._app = CorrelationMiddleware(self._route)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] == "lifespan":
            await self._run_lifespan(receive, send)
        else:
            await self._app(scope, receive, send)

    async def _route(self, scope: Scope, receive: Receive, send: Send) -> None:
        path: str = scope["path"]
        root_path: str = scope.get("root_path", "")
        for prefix, app in self.services:
            if path.startswith(prefix) and path[len(prefix) : len(prefix) + 1] in ("", "/"):
                # In place, as a mount does: the middleware outside reads the route the
                # service's router records in this same scope.
                scope["app_root_path"] = scope.get("app_root_path", root_path)
                scope["root_path"] = root_path + prefix
                await app(scope, receive, send)
                return
        await self._unmatched(scope, receive, send)

    async def _run_lifespan(self, receive: Receive, send: Send) -> None:
        """The ASGI lifespan protocol around `lifespan` (start-up, then shut-down)."""
        started = False
        await receive()  # lifespan.startup
        try:
            async with self._lifespan():
                await send({"type": "lifespan.startup.complete"})
                started = True
                await receive()  # lifespan.shutdown
        except BaseException:
            failed = "lifespan.shutdown.failed" if started else "lifespan.startup.failed"
            await send({"type": failed, "message": traceback.format_exc()})
            raise
        await send({"type": "lifespan.shutdown.complete"})


def _calm_the_garbage_collector() -> None:
    """Full collections over the start-up heap paused the event loop for ~200 ms and
    set the board's p99 (docs/performance.md). Freeze what start-up allocated and
    collect the young generation less often."""
    gc.collect()
    gc.freeze()
    gc.set_threshold(10_000, 50, 100)


async def _start_background(
    runtime: Runtime, specs: Sequence[ServiceSpec]
) -> list[asyncio.Task[None]]:
    for spec in specs:
        if spec.outbox is not None:
            runtime.relays.append(
                OutboxRelay(
                    runtime.engine,
                    spec.outbox.table,
                    runtime.stream,
                    poll_seconds=runtime.settings.outbox_poll_seconds,
                )
            )
        for hook in spec.on_start:
            await hook(runtime)
    coros = [relay.run() for relay in runtime.relays]
    coros += [worker(runtime) for spec in specs for worker in spec.workers]
    return [asyncio.create_task(_supervised(c)) for c in coros]


async def _stop_background(tasks: Sequence[asyncio.Task[None]]) -> None:
    """Cancel the background work and wait for it, within bounds: a task cancelled
    in the middle of a database call can be held up in the driver's own cancellation
    (seen with asyncpg during a BEGIN), and it must not keep the process from
    stopping. Its work is safe to abandon: consumers are at-least-once and
    idempotent, the relay's transaction rolls back."""
    for task in tasks:
        task.cancel()
    if not tasks:
        return
    _done, pending = await asyncio.wait(tasks, timeout=STOP_GRACE_SECONDS)
    for task in pending:
        logger.warning("background task did not stop in time", extra={"task": task.get_name()})


async def _supervised(coro: Coroutine[Any, Any, None]) -> None:
    try:
        await coro
    except asyncio.CancelledError:
        raise
    except Exception:
        logger.exception("background worker crashed")
        raise


async def open_runtime(settings: Settings, *, name: str) -> Runtime:
    configure_logging(settings.log_level, settings.log_format)
    engine = create_engine(
        settings.async_database_url,
        application_name=f"wicc-{name}",
        pool_size=settings.db_pool_size,
        max_overflow=settings.db_max_overflow,
    )
    if settings.redis_url is None:
        raise RuntimeError("REDIS_URL is not set and no embedded server was started")
    redis = Redis.from_url(
        settings.redis_url,
        socket_timeout=30,
        socket_connect_timeout=2,
        health_check_interval=10,
        retry_on_timeout=False,
    )
    return Runtime(
        settings=settings,
        engine=engine,
        sessions=create_sessionmaker(engine),
        redis=redis,
        http=httpx.AsyncClient(timeout=10.0),
        stream=EventStream(redis, settings.event_stream, settings.stream_maxlen),
    )


async def close_runtime(runtime: Runtime) -> None:
    await runtime.http.aclose()
    await runtime.redis.aclose()
    await runtime.engine.dispose()
