"""The ASGI app of one process: the services it serves, in the roles it plays.

- An **API process** answers requests (each service's app under its own prefix) and runs
  the services' API tasks (the board hub). `WICC_WORKERS` scales these.
- A **worker process** does the background work: outbox relays, consumers of the event
  log, scheduled jobs. It serves only health and metrics. Adding API processes never
  multiplies background work.
- `wicc run` as one process plays both roles, so a newcomer starts everything at once.

The same code serves every deployment: embedded (one process, all services), compose
and cluster (one service per API container, one worker).
"""

from __future__ import annotations

import contextlib
import gc
import traceback
from collections.abc import AsyncIterator, Callable, Sequence
from typing import Any, TypeVar

from fastapi import FastAPI
from starlette.types import ASGIApp, Receive, Scope, Send

from wicc_shared.admission import AdmissionControl
from wicc_shared.background import BackgroundWork, start_background, stop_background
from wicc_shared.errors import install_error_handlers
from wicc_shared.middleware import CorrelationMiddleware
from wicc_shared.openapi import keep_null_examples
from wicc_shared.roles import API_AND_WORKER, Role
from wicc_shared.runtime import Runtime, close_runtime, open_runtime
from wicc_shared.service import ServiceSpec, build_service_app, operations_router
from wicc_shared.settings import WiccSettings

S = TypeVar("S")
SettingsT = TypeVar("SettingsT", bound=WiccSettings)


def create_process_app(
    specs: Sequence[ServiceSpec[Any, Any]],
    settings: WiccSettings,
    roles: frozenset[Role] = API_AND_WORKER,
) -> ProcessApp:
    serves_api = Role.api in roles
    apps = [(spec, build_service_app(spec, api=True)) for spec in specs] if serves_api else []
    mounted: list[tuple[str, FastAPI]] = [(spec.prefix, app) for spec, app in apps]
    if not serves_api:
        mounted = [("", _worker_operations_app())]
    names = "+".join(s.name for s in specs) + ("" if serves_api else "-worker")

    @contextlib.asynccontextmanager
    async def lifespan(process: ProcessApp) -> AsyncIterator[None]:
        runtime = await open_runtime(settings, name=names)
        try:
            states = [await _start_service(spec, runtime, settings) for spec in specs]
        except BaseException:
            await close_runtime(runtime)  # a service refused to start (bad configuration)
            raise
        served: list[tuple[FastAPI, object | None]] = (
            [(app, state) for (_spec, app), state in zip(apps, states, strict=True)]
            if serves_api
            else [(app, None) for _prefix, app in mounted]
        )
        process.bind(runtime, states, served)
        work = BackgroundWork(runtime, list(zip(specs, states, strict=True)), roles)
        tasks = await start_background(work)
        _calm_the_garbage_collector()
        try:
            yield
        finally:
            await stop_background(tasks)
            await close_runtime(runtime)

    unmatched = FastAPI(docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(unmatched)
    return ProcessApp(mounted, lifespan, unmatched, max_in_flight=settings.max_in_flight)


async def _start_service(
    spec: ServiceSpec[SettingsT, Any], runtime: Runtime, settings: WiccSettings
) -> object:
    return await spec.build_state(runtime, settings_for(spec.settings_type, settings))


def settings_for(kind: type[SettingsT], settings: WiccSettings) -> SettingsT:
    """The service's own settings: the process's, when they are already of its kind
    (a process serving several services uses a class inheriting all of theirs),
    otherwise its own class read from the environment over the process's values."""
    if isinstance(settings, kind):
        return settings
    return kind(**settings.model_dump())


def _worker_operations_app() -> FastAPI:
    app = FastAPI(title="WICC worker", docs_url=None, redoc_url=None, openapi_url=None)
    install_error_handlers(app)
    app.include_router(operations_router({}))
    keep_null_examples(app)
    return app


class ProcessApp:
    """Routes each request by path prefix to its service's app; runs the lifespan.

    A plain dispatcher, not a framework app with mounts: every request used to pass
    a second stack of middleware, exception handlers and router before it reached its
    service (about 40 us each, docs/performance.md).
    """

    def __init__(
        self,
        services: Sequence[tuple[str, FastAPI]],
        lifespan: Callable[[ProcessApp], contextlib.AbstractAsyncContextManager[None]],
        unmatched: ASGIApp,
        *,
        max_in_flight: int,
    ) -> None:
        self.services = list(services)
        self._lifespan = lifespan
        self._unmatched = unmatched
        self.admission = AdmissionControl(self._route, limit=max_in_flight)
        self._app = CorrelationMiddleware(self.admission)
        self._runtime: Runtime | None = None
        self._states: list[object] = []

    def bind(
        self, runtime: Runtime, states: list[object], served: list[tuple[FastAPI, object | None]]
    ) -> None:
        """Give every app of the process the runtime, and each service app its state."""
        self._runtime, self._states = runtime, states
        for app, state in served:
            app.state.runtime = runtime
            app.state.service_state = state

    @property
    def runtime(self) -> Runtime:
        if self._runtime is None:
            raise RuntimeError("the process has not started")
        return self._runtime

    def state(self, kind: type[S]) -> S:
        """The state of the service of this kind (for tests and operators' tools)."""
        for state in self._states:
            if isinstance(state, kind):
                return state
        raise LookupError(f"no service with {kind.__name__} in this process")

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
            async with self._lifespan(self):
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
