"""Sitrep returns for the call: who has not submitted, who submitted late.

The call reads the returns of the day before (today's are due after it). Who must
return and how each return stands follow the capacity service's status endpoint
(`GET /capacity/v1/sitreps/status`): every active organisation holding an active unit
must return, and any other that did is listed; a return submitted after the deadline
is late; no return once the deadline has passed is missing, before it not yet due.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, datetime, timedelta

from wicc_flow.board.schemas import BoardSitrepDay, BoardSitreps
from wicc_flow.summaries import sources
from wicc_flow.summaries.document import (
    SitrepReturn,
    SitrepSection,
    SitrepStatus,
    SourceFreshness,
    source_freshness,
)
from wicc_flow.summaries.inputs import Reference

# The returns are read from the event log as the summary is built: current by design.
FRESH_FOR = timedelta(hours=1)


def sitrep_section(
    reference: Reference, board: Sequence[BoardSitreps], sitrep_date: date, now: datetime
) -> SitrepSection:
    deadline = reference.system.sitrep_deadline_of(sitrep_date)
    days = {entry.org: _day(entry, sitrep_date) for entry in board}
    returns = []
    for org in reference.organisations:
        day = days.get(org.ods)
        if not org.holds_units and (day is None or day.submitted_at is None):
            continue
        returns.append(_return(org.ods, org.name, day, deadline, now))
    return SitrepSection(
        sitrep_date=sitrep_date,
        deadline=deadline,
        source=sources.sitreps(reference.system.code, sitrep_date),
        as_of=now,
        returns=returns,
    )


def _day(entry: BoardSitreps, sitrep_date: date) -> BoardSitrepDay | None:
    return next((d for d in entry.recent if d.date == sitrep_date), None)


def _return(
    ods: str, name: str, day: BoardSitrepDay | None, deadline: datetime, now: datetime
) -> SitrepReturn:
    submitted = day.submitted_at if day is not None else None
    if submitted is not None:
        status = SitrepStatus.late if submitted > deadline else SitrepStatus.on_time
    else:
        status = SitrepStatus.missing if now > deadline else SitrepStatus.not_yet_due
    return SitrepReturn(org=ods, org_name=name, status=status, submitted_at=submitted)


def sitrep_freshness(section: SitrepSection, now: datetime) -> SourceFreshness:
    return source_freshness(
        section.source,
        "Sitrep returns",
        section.as_of,
        FRESH_FOR,
        now,
    )
