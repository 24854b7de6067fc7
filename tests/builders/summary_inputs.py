"""Inputs of a summary build (reference data, the board's picture, history), with
keyword defaults, for tests of the rules that assemble the document."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping

from wicc_flow.board.projection import BoardProjection
from wicc_flow.summaries.figures import Figure
from wicc_flow.summaries.history import History
from wicc_flow.summaries.inputs import BoardInputs, Build, OrgRef, Reference, SystemRef
from wicc_shared.events.envelope import Event
from wicc_shared.rules.care_freshness import DEFAULT_CARE_FRESHNESS_HOURS

UTC = dt.UTC
DAY = dt.date(2026, 12, 3)
NOW = dt.datetime(2026, 12, 3, 8, 30, tzinfo=UTC)  # GMT: London time is UTC


def system_ref(code: str = "wiltshire") -> SystemRef:
    return SystemRef(
        code=code,
        name="Wiltshire system",
        timezone="Europe/London",
        sitrep_deadline=dt.time(11, 0),
        summary_time=dt.time(8, 30),
    )


def org(
    ods: str,
    name: str | None = None,
    kind: str = "acute",
    *,
    ga_units: Iterable[str] = (),
    holds_units: bool = True,
) -> OrgRef:
    return OrgRef(
        ods=ods,
        name=name or f"{ods} NHS Foundation Trust",
        kind=kind,
        locality=None,
        holds_units=holds_units,
        ga_units=frozenset(ga_units),
    )


def reference(
    *orgs: OrgRef,
    localities: tuple[tuple[str, str], ...] = (("north", "North"), ("south", "South")),
    care_services: Mapping[str, frozenset[str]] | None = None,
) -> Reference:
    return Reference(
        system=system_ref(),
        organisations=list(orgs),
        localities=list(localities),
        care_services=care_services or {},
    )


def board(*events: Event, now: dt.datetime = NOW, system: str = "wiltshire") -> BoardInputs:
    """The board's picture after `events`, as a build reads it."""
    projection = BoardProjection(care_freshness_hours=DEFAULT_CARE_FRESHNESS_HOURS)
    for event in events:
        projection.apply(event)
    return BoardInputs.of(projection.view(now), system, len(events))


def history(
    figures: Mapping[tuple[str, str], Mapping[dt.date, Figure]] | None = None,
    *,
    day: dt.date = DAY,
) -> History:
    return History(system="wiltshire", day=day, figures=figures or {})


def build(*, now: dt.datetime = NOW, day: dt.date = DAY, version: int = 1) -> Build:
    return Build(
        day=day,
        now=now,
        version=version,
        trigger="on_demand",
        care_freshness_hours=DEFAULT_CARE_FRESHNESS_HOURS,
    )
