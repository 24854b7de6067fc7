"""The sitrep day: dates, deadlines and the amendment window in the care system's own
time zone (a Europe/London calendar day for the demo system)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from zoneinfo import ZoneInfo

from wicc_capacity.sitreps.schemas import AMENDMENT_WINDOW_DAYS
from wicc_shared.kernel.models import CareSystem

SNAPSHOT_TIME = dt.time(8, 0)  # sitrep figures describe 08:00 on the sitrep date
DEFAULT_TIMEZONE = "Europe/London"
DEFAULT_DEADLINE = dt.time(11, 0)


@dataclass(frozen=True)
class SitrepCalendar:
    """Dates and deadlines of one care system, in its own time zone."""

    timezone: str
    deadline_time: dt.time

    @classmethod
    def of(cls, system: CareSystem | None) -> SitrepCalendar:
        if system is None:
            return cls(DEFAULT_TIMEZONE, DEFAULT_DEADLINE)
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
