"""The worker's daily build: each care system's summary at its `summary_time`.

The job runs every `WICC_SUMMARY_CHECK_SECONDS` (a `ScheduledJob`, so one worker runs
it at a time and every run is in `kernel.job_run`). A run builds, for every system
whose summary time has passed today (in its own time zone), today's scheduled version
unless there is one: the first run after 08:30 builds it, a worker that was down at
08:30 builds it when it is back, and a day is built by the schedule once (the
database refuses a second scheduled build of a day). Each system's build is its own
transaction, so one system's failure does not hold up the others; the board's
picture is read once per run for all of them.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections.abc import Mapping

from wicc_flow.patients.delay_reasons import DelayReasons
from wicc_flow.summaries import repository, service
from wicc_flow.summaries.document import BuildTrigger
from wicc_shared import audited_write
from wicc_shared.kernel.models import CareSystem
from wicc_shared.runtime import Runtime

logger = logging.getLogger(__name__)
JOB = audited_write.SystemActor("summary-schedule")


def due_day(system: CareSystem, now: dt.datetime) -> dt.date | None:
    """Today in the system's zone, once its summary time has passed; else None."""
    ref = repository.system_ref(system)
    today = ref.today(now)
    return today if now >= ref.local(today, system.summary_time) else None


async def build_due(
    runtime: Runtime,
    care_freshness_hours: Mapping[str, float],
    reasons: DelayReasons | None = None,
) -> str:
    """The job: today's scheduled summary of every system that is due and has none."""
    now = runtime.clock()
    async with runtime.sessions() as session:
        systems = list(await repository.care_systems(session))
        due = [(s, day) for s in systems if (day := due_day(s, now)) is not None]
        pending = [
            (s, day)
            for s, day in due
            if not await repository.scheduled_build_exists(session, s.code, day)
        ]
        if not pending:
            return "nothing due"
        board = await service.read_board(session, runtime.stream, care_freshness_hours, now)
    built, failed = [], []
    for system, day in pending:
        order = service.BuildOrder(
            system, day, BuildTrigger.scheduled, now, care_freshness_hours, reasons
        )
        try:
            async with runtime.transaction() as session:
                summary = await service.build(session, JOB, order, board)
        except Exception:  # one system's failure must not stop the others' summaries
            logger.exception("summary build failed", extra={"system": system.code})
            failed.append(system.code)
            continue
        if summary is not None:
            built.append(f"{system.code} {day} v{summary.version}")
    account = "built " + ", ".join(built) if built else "nothing built"
    if failed:
        # Recorded as a failed run (kernel.job_run); the next run tries these again.
        raise RuntimeError(f"{account}; failed: {', '.join(failed)}")
    return account
