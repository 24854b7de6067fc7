"""The sitrep day: deadlines in the care system's time zone, and the worker that
announces organisations still missing once the deadline has passed."""

from __future__ import annotations

import asyncio
import contextlib
import datetime as dt
import logging
from dataclasses import dataclass
from typing import Any
from zoneinfo import ZoneInfo

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.sitreps import repository
from wicc_capacity.sitreps.schemas import AMENDMENT_WINDOW_DAYS
from wicc_capacity.tables import OUTBOX
from wicc_shared.kernel.models import CareSystem, Organisation
from wicc_shared.runtime import Runtime

logger = logging.getLogger(__name__)

SITREP_MISSING = "sitrep.missing"
# How many past days a deadline check also covers (see `announce_missing`).
CATCH_UP_DAYS = 1
SNAPSHOT_TIME = dt.time(8, 0)  # sitrep figures describe 08:00 on the sitrep date
CHECK_INTERVAL_SECONDS = 30.0
COMPONENT = "sitrep-deadline"
DEFAULT_TIMEZONE = "Europe/London"


@dataclass(frozen=True)
class SitrepCalendar:
    """Dates and deadlines of one care system, in its own time zone."""

    timezone: str
    deadline_time: dt.time

    @classmethod
    def of(cls, system: CareSystem | None) -> SitrepCalendar:
        if system is None:
            return cls(DEFAULT_TIMEZONE, dt.time(11, 0))
        return cls(system.timezone, system.sitrep_deadline)

    def _local(self, date: dt.date, at: dt.time) -> dt.datetime:
        return dt.datetime.combine(date, at, tzinfo=ZoneInfo(self.timezone)).astimezone(dt.UTC)

    def today(self, now: dt.datetime) -> dt.date:
        return now.astimezone(ZoneInfo(self.timezone)).date()

    def deadline(self, date: dt.date) -> dt.datetime:
        return self._local(date, self.deadline_time)

    def as_of(self, date: dt.date) -> dt.datetime:
        """The moment a sitrep's bed figures describe."""
        return self._local(date, SNAPSHOT_TIME)

    def amendable_until(self, date: dt.date) -> dt.datetime:
        """Amendments are accepted up to the end of the 14th day after the sitrep date."""
        return self._local(date + dt.timedelta(days=AMENDMENT_WINDOW_DAYS + 1), dt.time(0, 0))


async def announce_missing(session: AsyncSession, now: dt.datetime) -> list[str]:
    """For every care system and every date from `CATCH_UP_DAYS` ago to today whose
    deadline has passed, emit one `sitrep.missing` per organisation still without a
    sitrep; return their codes (oldest date first).

    Looking back a day means a deadline that passed while no process was running
    (overnight downtime) is still announced. The `sitrep_missing` row and the
    outbox event are written in the caller's transaction, so an organisation is
    announced once for a date, however often (and by however many replicas) this runs.
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
                await OUTBOX.add(
                    session,
                    SITREP_MISSING,
                    subject=f"sitreps/{org.ods}/{date.isoformat()}",
                    data=missing_event_data(org, date, deadline),
                )
                announced.append(org.ods)
    return announced


def missing_event_data(org: Organisation, date: dt.date, deadline: dt.datetime) -> dict[str, Any]:
    return {
        "org": org.ods,
        "name": org.name,
        "kind": org.kind,
        "system": org.system_code,
        "locality": org.locality_code,
        "date": date.isoformat(),
        "deadline": deadline.isoformat(),
    }


class DeadlineWorker:
    """Checks for missing sitreps every `interval` seconds (or when kicked).

    It reads `runtime.clock` on every check, so tests that move the clock move the
    worker too. The first check waits one interval: start-up stays quick, and a
    process started after the deadline still announces within the interval.
    """

    def __init__(self, runtime: Runtime, interval: float = CHECK_INTERVAL_SECONDS) -> None:
        self.runtime = runtime
        self.interval = interval
        self.checks = 0
        self._wake = asyncio.Event()

    def kick(self) -> None:
        """Check now rather than at the end of the interval."""
        self._wake.set()

    async def run(self) -> None:
        while True:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(self._wake.wait(), timeout=self.interval)
            self._wake.clear()
            await self.check()

    async def check(self) -> list[str]:
        announced: list[str] = []
        try:
            async with self.runtime.sessions() as session, session.begin():
                announced = await announce_missing(session, self.runtime.clock())
        except Exception:  # a database blip must not end the worker; the next check retries
            logger.exception("sitrep deadline check failed")
        finally:
            self.checks += 1
        if announced:
            logger.info("sitreps missing after the deadline", extra={"orgs": announced})
            self.runtime.kick_relays()
        return announced


async def run_deadline_worker(runtime: Runtime) -> None:
    """The capacity service's background task (registered in its ServiceSpec)."""
    worker = DeadlineWorker(runtime)
    runtime.components[COMPONENT] = worker
    await worker.run()
