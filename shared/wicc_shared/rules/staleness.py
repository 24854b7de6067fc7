"""How old a figure is, and when it stops counting as current.

Bed figures should move during the day and the sitrep comes daily, so a unit's figure
with no news for a day cannot be trusted: it is flagged stale (it still counts in
roll-ups, flagged, since a late unit still has beds).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

BED_STALE_AFTER = timedelta(hours=24)


def age_seconds(as_of: datetime, now: datetime) -> float:
    return (now - as_of).total_seconds()


@dataclass(frozen=True, slots=True)
class Staleness:
    """Ages measured from `now`; a figure older than `stale_after` is stale (exactly at
    the limit it is not)."""

    now: datetime
    stale_after: timedelta = BED_STALE_AFTER

    def age(self, as_of: datetime | None) -> float | None:
        return None if as_of is None else age_seconds(as_of, self.now)

    def stale(self, as_of: datetime | None) -> bool:
        return as_of is not None and self.now - as_of > self.stale_after

    def stale_at(self, as_of: datetime) -> datetime:
        """The moment a figure reported `as_of` turns stale."""
        return as_of + self.stale_after
