"""The moment a daily sitrep's figures describe: 08:00 on its date, in the care
system's own time zone (capacity's sitrep calendar states the same rule). Events
carry the sitrep's date, not this moment, so a reader that ages sitrep figures
derives it here."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

SNAPSHOT_TIME = dt.time(8, 0)


def sitrep_as_of(date: dt.date, timezone: str) -> dt.datetime:
    """08:00 on `date` in `timezone`, in UTC."""
    return dt.datetime.combine(date, SNAPSHOT_TIME, tzinfo=ZoneInfo(timezone)).astimezone(dt.UTC)
