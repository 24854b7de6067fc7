"""Starting and stopping a process's background work, by the roles it plays."""

from __future__ import annotations

import asyncio
import logging
from collections.abc import Coroutine, Sequence
from dataclasses import dataclass
from typing import Any

from wicc_shared.events.relay import OutboxRelay
from wicc_shared.roles import Role
from wicc_shared.runtime import Runtime
from wicc_shared.scheduler import Scheduler
from wicc_shared.service import ServiceSpec

logger = logging.getLogger(__name__)
STOP_GRACE_SECONDS = 5.0


@dataclass(frozen=True)
class BackgroundWork:
    runtime: Runtime
    services: Sequence[tuple[ServiceSpec[Any, Any], object]]
    roles: frozenset[Role]


async def start_background(work: BackgroundWork) -> list[asyncio.Task[None]]:
    coros: list[Coroutine[Any, Any, None]] = []
    if Role.api in work.roles:
        coros += [
            task(work.runtime, state) for spec, state in work.services for task in spec.api_tasks
        ]
    if Role.worker in work.roles:
        coros += _worker_coroutines(work, listen_for_kicks=Role.api not in work.roles)
    return [asyncio.create_task(_supervised(c)) for c in coros]


def _worker_coroutines(
    work: BackgroundWork, *, listen_for_kicks: bool
) -> list[Coroutine[Any, Any, None]]:
    runtime = work.runtime
    runtime.scheduler = scheduler = Scheduler(runtime)
    coros: list[Coroutine[Any, Any, None]] = []
    for spec, state in work.services:
        if spec.outbox is not None:
            relay = OutboxRelay(
                runtime.engine,
                spec.outbox.table,
                runtime.stream,
                poll_seconds=runtime.settings.outbox_poll_seconds,
            )
            runtime.kicks.attach(spec.outbox.schema, relay)
            coros.append(relay.run())
        coros += [task(runtime, state) for task in spec.worker_tasks]
        coros += [scheduler.run_forever(job) for job in spec.jobs(state)]
    if listen_for_kicks:
        coros.append(runtime.kicks.listen())
    return coros


async def stop_background(tasks: Sequence[asyncio.Task[None]]) -> None:
    """Cancel the background work and wait for it, within bounds: a task cancelled
    in the middle of a database call can be held up in the driver's own cancellation
    (seen with asyncpg during a BEGIN), and it must not keep the process from
    stopping. Its work is safe to abandon: consumers are at-least-once and
    idempotent, the relay's transaction rolls back, a job's run is claimed again."""
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
