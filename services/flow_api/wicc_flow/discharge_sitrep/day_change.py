"""A fresh discharge sitrep for every trust when its system's day changes (a scheduled
job of the worker), so day counts, delay bands and lost bed days move at midnight even
when nobody touches the list.

Each trust is recounted in a transaction of its own, under its patient lock, and only
if its last sitrep is still from an earlier day: however many workers run the job, a
trust gets one new-day sitrep (a write racing the job recounts it anyway).
"""

from __future__ import annotations

import logging
from datetime import datetime

from wicc_flow.discharge_sitrep import repository
from wicc_flow.discharge_sitrep.recount import Day, recount, zone_of
from wicc_flow.patients import repository as patients
from wicc_flow.patients.config import PatientFlow
from wicc_shared import audited_write
from wicc_shared.runtime import Runtime
from wicc_shared.scheduler import ScheduledJob

logger = logging.getLogger(__name__)
JOB_NAME = "discharge-sitrep-day"
ACTOR = audited_write.SystemActor(JOB_NAME)


def day_change_job(flow: PatientFlow, interval_seconds: float) -> ScheduledJob:
    async def run(runtime: Runtime) -> int:
        return await recount_new_day(runtime, flow, runtime.clock())

    return ScheduledJob(JOB_NAME, interval_seconds, run)


async def recount_new_day(runtime: Runtime, flow: PatientFlow, now: datetime) -> int:
    """Recount every trust whose day has moved on; return how many were recounted."""
    async with runtime.transaction() as session:
        systems = list(await patients.care_systems(session))
        due = [
            (system, org)
            for system in systems
            for org in await repository.due_for_new_day(
                session, system.code, Day.of(now, zone_of(system)).day
            )
        ]
    done = 0
    for system, org in due:
        async with runtime.transaction() as session:
            await patients.lock_org(session, org)
            announced = await repository.announced_day(session, org)
            if announced is not None and announced >= Day.of(now, zone_of(system)).day:
                continue  # another worker, or a write, got there first
            await recount(session, ACTOR, org, system, flow, now=now)
            done += 1
    if done:
        logger.info("discharge sitreps recounted for a new day", extra={"trusts": done})
    return done
