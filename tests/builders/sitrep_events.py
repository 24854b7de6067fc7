"""Sitrep events as capacity publishes them (`sitrep.submitted`, `.amended`, `.missed`),
with keyword defaults, for tests of their readers (the board, the summary)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.builders.events import event_of
from tests.builders.sitreps import sitrep_body
from wicc_shared.catalogue import SITREP_AMENDED, SITREP_MISSED, SITREP_SUBMITTED
from wicc_shared.catalogue.sitreps import (
    SitrepFiguresData,
    SitrepMissed,
    SitrepRecorded,
    SitrepTotals,
)
from wicc_shared.events.envelope import Event

UTC = dt.UTC
DAY = dt.date(2026, 12, 2)


def deadline_of(day: dt.date) -> dt.datetime:
    return dt.datetime.combine(day, dt.time(11, 0), tzinfo=UTC)  # GMT in winter


def ga_area(
    core_open: int = 150,
    core_occupied: int = 140,
    escalation_open: int = 8,
    escalation_occupied: int = 6,
) -> dict[str, Any]:
    return {
        "bed_area": "adult_ga",
        "core_open": core_open,
        "core_occupied": core_occupied,
        "escalation_open": escalation_open,
        "escalation_occupied": escalation_occupied,
    }


def sitrep_recorded(
    org: str = "RNZ",
    day: dt.date = DAY,
    *,
    version: int = 1,
    submitted_at: dt.datetime | None = None,
    amended_at: dt.datetime | None = None,
    beds: list[dict[str, Any]] | None = None,
    system: str = "wiltshire",
    amended: bool = False,
) -> Event:
    """A submission (or, with `amended`, an amendment) of `org`'s sitrep for `day`."""
    deadline = deadline_of(day)
    submitted = submitted_at or deadline - dt.timedelta(hours=1)
    body = sitrep_body(org, day, **({"beds": beds} if beds is not None else {}))
    figures = SitrepFiguresData.model_validate(
        {k: v for k, v in body.items() if k not in ("org", "date")}
    )
    payload = SitrepRecorded(
        org=org,
        date=day,
        version=version,
        figures=figures,
        totals=SitrepTotals(
            open=0, occupied=0, occupancy_pct=None, escalation_open=0, nctr_pct_of_occupied=None
        ),
        submitted_at=submitted,
        amended_at=amended_at,
        deadline=deadline,
        late=submitted > deadline,
        system=system,
        locality=None,
    )
    return event_of(SITREP_AMENDED if amended else SITREP_SUBMITTED, payload)


def sitrep_missed(org: str = "RVN", day: dt.date = DAY, *, system: str = "wiltshire") -> Event:
    payload = SitrepMissed(
        org=org,
        name=f"{org} (test)",
        kind="acute",
        system=system,
        locality=None,
        date=day,
        deadline=deadline_of(day),
    )
    return event_of(SITREP_MISSED, payload)
