"""What a summary is built from, gathered before any rule runs: the care system's
reference data (the kernel), the board's picture of it, and the figures of earlier
days' summaries. Plain values, so the rules that build the document are pure.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, datetime, time, timedelta
from typing import Any
from zoneinfo import ZoneInfo

from wicc_flow.board.schemas import BoardCareProvider, BoardSitreps, BoardUnit
from wicc_flow.summaries.figures import Figure
from wicc_shared.rules.care_freshness import freshness_limit

SITREP_SNAPSHOT = time(8, 0)  # sitrep figures describe 08:00 on the sitrep date


@dataclass(frozen=True)
class SystemRef:
    code: str
    name: str
    timezone: str
    sitrep_deadline: time
    summary_time: time

    @property
    def zone(self) -> ZoneInfo:
        return ZoneInfo(self.timezone)

    def local(self, day: date, at: time) -> datetime:
        """A local time of `day`, as an aware datetime (UTC)."""
        return datetime.combine(day, at, tzinfo=self.zone).astimezone(ZoneInfo("UTC"))

    def today(self, now: datetime) -> date:
        return now.astimezone(self.zone).date()

    def sitrep_deadline_of(self, day: date) -> datetime:
        return self.local(day, self.sitrep_deadline)

    def sitrep_as_of(self, day: date) -> datetime:
        return self.local(day, SITREP_SNAPSHOT)


@dataclass(frozen=True)
class OrgRef:
    ods: str
    name: str
    kind: str
    locality: str | None
    holds_units: bool  # has an active unit: must send the daily sitrep
    ga_units: frozenset[str] = frozenset()  # its active adult G&A units


@dataclass(frozen=True)
class Reference:
    """The kernel's picture of one care system (active entries only)."""

    system: SystemRef
    organisations: Sequence[OrgRef]
    localities: Sequence[tuple[str, str]]  # (code, name), in the file's order
    care_services: Mapping[str, frozenset[str]] = field(default_factory=dict)  # type -> orgs

    def org(self, ods: str) -> OrgRef | None:
        return next((o for o in self.organisations if o.ods == ods), None)


@dataclass(frozen=True)
class BoardInputs:
    """The board's picture of one care system at the end of the event log."""

    seq: int
    units: Sequence[BoardUnit]
    care: Sequence[BoardCareProvider]
    sitreps: Sequence[BoardSitreps]

    @classmethod
    def of(cls, view: Mapping[str, Any], system: str, seq: int) -> BoardInputs:
        """The entries of `system` from a board view (`BoardProjection.view`)."""
        care = view.get("care") or {}
        return cls(
            seq=seq,
            units=[BoardUnit.model_validate(u) for u in view.get("units", ()) if _in(u, system)],
            care=[
                BoardCareProvider.model_validate(p)
                for p in care.get("providers", ())
                if _in(p, system)
            ],
            sitreps=[
                BoardSitreps.model_validate(s) for s in view.get("sitreps", ()) if _in(s, system)
            ],
        )


def _in(entry: Mapping[str, Any], system: str) -> bool:
    return bool(entry.get("system") == system)


# (subject, metric) -> day -> the figure that day's summary recorded
HistoryFigures = Mapping[tuple[str, str], Mapping[date, Figure]]


@dataclass(frozen=True)
class Build:
    """Who builds which day, when."""

    day: date
    now: datetime
    version: int
    trigger: str  # a BuildTrigger value
    care_freshness_hours: Mapping[str, float]

    def care_limit(self, service_type: str) -> timedelta:
        return freshness_limit(service_type, self.care_freshness_hours)
