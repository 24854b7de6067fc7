"""Scheduled jobs, run by worker processes: each job once per interval, whatever the
number of workers.

A run is claimed in one transaction under the job's advisory lock: the claim fails
when another worker holds the lock or started the job less than half an interval ago.
Every run is recorded in `kernel.job_run` (runner, start, end, outcome), which is how
an operator sees that the sitrep deadline check ran, and when. A failing run is logged
and recorded; the next interval tries again.
"""

from __future__ import annotations

import asyncio
import contextlib
import logging
import os
import socket
import zlib
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta

from sqlalchemy import delete, func, select, update
from sqlmodel import col

from wicc_shared.kernel.models import JobRun
from wicc_shared.runtime import Runtime

logger = logging.getLogger(__name__)
KEEP_RUNS = timedelta(days=7)
_LOCK_NAMESPACE = zlib.crc32(b"wicc-scheduled-job") - 2**31


@dataclass(frozen=True, eq=False)
class ScheduledJob:
    """`run` returns a short account of what it did (e.g. how many rows), or None."""

    name: str
    interval_seconds: float
    run: Callable[[Runtime], Awaitable[object]]


def runner_name() -> str:
    return f"{socket.gethostname()}-{os.getpid()}"


class Scheduler:
    def __init__(self, runtime: Runtime) -> None:
        self.runtime = runtime
        self.runner = runner_name()
        self._wake: dict[ScheduledJob, asyncio.Event] = {}

    def kick(self, job: ScheduledJob) -> None:
        """Run `job` now rather than at the end of its interval."""
        self._event(job).set()

    async def run_forever(self, job: ScheduledJob) -> None:
        """The job's loop. The first run waits one interval: start-up stays quick."""
        wake = self._event(job)
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(wake.wait(), timeout=job.interval_seconds)
            forced = wake.is_set()
            wake.clear()
            await self.run_once(job, force=forced)

    async def run_once(self, job: ScheduledJob, *, force: bool = False) -> bool:
        """Claim and run one run of `job`; False when another worker has it."""
        try:
            run_id = await self._claim(job, force=force)
        except Exception:  # a database blip: the next interval tries again
            logger.exception("could not claim a run of job %s", job.name)
            return False
        if run_id is None:
            return False
        ok, result = True, None
        try:
            outcome = await job.run(self.runtime)
            result = None if outcome is None else str(outcome)[:500]
        except Exception as exc:  # recorded, logged; the next interval retries
            logger.exception("scheduled job %s failed", job.name)
            ok, result = False, repr(exc)[:500]
        await self._finish(job, run_id, ok=ok, result=result)
        return True

    def _event(self, job: ScheduledJob) -> asyncio.Event:
        return self._wake.setdefault(job, asyncio.Event())

    async def _claim(self, job: ScheduledJob, *, force: bool) -> int | None:
        # Wall-clock time, not the runtime's clock: tests move that one to test the
        # jobs' own rules, and must not starve the claim.
        now = datetime.now(UTC)
        async with self.runtime.sessions() as session, session.begin():
            lock = func.pg_try_advisory_xact_lock(_LOCK_NAMESPACE, _lock_id(job.name))
            if not await session.scalar(select(lock)):
                return None
            if not force:
                last = await session.scalar(
                    select(func.max(col(JobRun.started_at))).where(col(JobRun.job) == job.name)
                )
                if last is not None and now - last < timedelta(seconds=job.interval_seconds / 2):
                    return None
            run = JobRun(job=job.name, runner=self.runner, started_at=now)
            session.add(run)
            await session.flush()
            assert run.id is not None
            return run.id

    async def _finish(
        self, job: ScheduledJob, run_id: int, *, ok: bool, result: str | None
    ) -> None:
        now = datetime.now(UTC)
        try:
            async with self.runtime.sessions() as session, session.begin():
                await session.execute(
                    update(JobRun)
                    .where(col(JobRun.id) == run_id)
                    .values(finished_at=now, ok=ok, result=result)
                )
                await session.execute(
                    delete(JobRun).where(
                        col(JobRun.job) == job.name, col(JobRun.started_at) < now - KEEP_RUNS
                    )
                )
        except Exception:  # only the record of the run is lost
            logger.exception("could not record the end of job %s", job.name)


def _lock_id(name: str) -> int:
    return zlib.crc32(name.encode()) - 2**31
