"""Announcing organisations still without a sitrep once their deadline has passed
(a scheduled job of the worker)."""

from __future__ import annotations

import datetime as dt
import logging

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.sitreps import events, repository
from wicc_capacity.sitreps.calendar import SitrepCalendar
from wicc_capacity.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.catalogue.sitreps import SITREP_MISSED
from wicc_shared.runtime import Runtime

logger = logging.getLogger(__name__)

# How many past days a deadline check also covers (see `announce_missing`).
CATCH_UP_DAYS = 1
JOB = audited_write.SystemActor("sitrep-deadline")


async def announce_missing_now(runtime: Runtime) -> int:
    """The job: one check at the runtime's clock; returns how many were announced."""
    async with runtime.transaction() as session:
        announced = await announce_missing(session, runtime.clock())
    if announced:
        logger.info("sitreps missing after the deadline", extra={"orgs": announced})
    return len(announced)


async def announce_missing(session: AsyncSession, now: dt.datetime) -> list[str]:
    """For every care system and every date from `CATCH_UP_DAYS` ago to today whose
    deadline has passed, emit one `sitrep.missed` per organisation still without a
    sitrep; return their codes (oldest date first).

    Looking back a day means a deadline that passed while no worker was running
    (overnight downtime) is still announced. The `sitrep_missing` row, its audit entry
    and the event are written in the caller's transaction, so an organisation is
    announced once for a date, however often (and by however many workers) this runs.
    """
    announced: list[str] = []
    for system in await repository.care_systems(session):
        calendar = SitrepCalendar.of(system)
        today = calendar.today(now)
        for back in range(CATCH_UP_DAYS, -1, -1):
            date = today - dt.timedelta(days=back)
            deadline = calendar.deadline(date)
            if now <= deadline:
                continue
            for org in await repository.mark_missing(session, system.code, date, now):
                change = audited_write.Change(
                    action=SITREP_MISSED.name,
                    entity_type="sitrep",
                    entity_id=f"{org.ods}/{date.isoformat()}",
                    org_ods=org.ods,
                    before=None,
                    after={"missing_at": now.isoformat(), "deadline": deadline.isoformat()},
                )
                payload = events.sitrep_missed(org, date, deadline)
                await audited_write.record(
                    session, JOB, change, audited_write.announce(OUTBOX, SITREP_MISSED, payload)
                )
                announced.append(org.ods)
    return announced
