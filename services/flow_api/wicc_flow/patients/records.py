"""Plain records of patient stays, for the pure computations (lost bed days, the
discharge sitrep, demand against capacity).

They hold no NHS number and no name: what is computed from them is counts, so nothing
here is personal beyond the trust's own pseudonymous id. Dates are calendar dates in
the system's time zone; instants are timezone-aware datetimes.

Day intervals are half-open throughout: a stay is ready from its discharge ready date
up to, not including, the day it ends, and a delay runs from its `start` up to, not
including, its `end` (the day the awaited thing arrived). That is what makes
"delay = discharge date - discharge ready date" hold exactly.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, datetime, tzinfo
from enum import IntEnum, StrEnum


class Pathway(IntEnum):
    """Discharge pathways: 0 home without new support, 1 home with new support
    (reablement, home care), 2 a short-term bed, 3 a care home placement."""

    home = 0
    home_with_support = 1
    short_term_bed = 2
    care_home = 3


class Responsible(StrEnum):
    """Who owns a delay, as the DTOC return attributed it."""

    health = "health"
    social_care = "social_care"
    both = "both"


@dataclass(frozen=True, slots=True)
class Delay:
    """One thing a patient waits for. `end` is the day the wait ended, not itself
    counted under this delay; None while it is still open."""

    reason: str
    responsible: Responsible
    start: date
    end: date | None = None

    def __post_init__(self) -> None:
        if self.end is not None and self.end < self.start:
            raise ValueError("a delay cannot end before it starts")

    def open_on(self, day: date) -> bool:
        return self.start <= day and (self.end is None or day < self.end)


@dataclass(frozen=True, slots=True)
class PatientStay:
    """One discharge-ready record: a patient's stay from the moment they were ready."""

    id: str
    org: str
    unit_id: str
    destination_locality: str
    pathway: Pathway
    admitted_at: datetime
    discharge_ready_date: date
    expected_discharge_date: date | None = None
    discharged_at: datetime | None = None
    withdrawn_at: datetime | None = None
    delays: tuple[Delay, ...] = ()

    def __post_init__(self) -> None:
        for name in ("admitted_at", "discharged_at", "withdrawn_at"):
            value = getattr(self, name)
            if value is not None and value.utcoffset() is None:
                raise ValueError(f"{name} must carry a time zone")

    @property
    def closed_at(self) -> datetime | None:
        """When the stay stopped being discharge ready: discharge or withdrawal,
        whichever came first (a withdrawn patient discharged later was not discharged
        as ready)."""
        ends = [t for t in (self.discharged_at, self.withdrawn_at) if t is not None]
        return min(ends, default=None)

    @property
    def discharged_ready(self) -> bool:
        """Discharged while still ready (not after a withdrawal)."""
        return self.discharged_at is not None and self.closed_at == self.discharged_at

    def closed_on(self, tz: tzinfo) -> date | None:
        """The calendar day (in `tz`) the stay stopped being ready, if it has."""
        closed = self.closed_at
        return None if closed is None else local_date(closed, tz)


def local_date(instant: datetime, tz: tzinfo) -> date:
    """The calendar day an instant falls on in the system's time zone."""
    return instant.astimezone(tz).date()
