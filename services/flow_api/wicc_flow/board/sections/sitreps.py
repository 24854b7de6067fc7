"""The sitreps section: per organisation, its recent daily sitrep returns (on time,
late or missed, with times) and the bed-area figures of its latest sitreps.

The area figures follow capacity's rule for its sitrep-fed `area_beds`, so a reader of
the board (the daily summary) can count an organisation's bed area from its sitrep
where none of its units has reported, exactly as the bed roll-ups do: a sitrep of a
later date replaces an earlier one's figure, an amendment replaces its own date's, and
an amendment that no longer reports an area drops that date's figure for it.
"""

from __future__ import annotations

import datetime as dt
from datetime import datetime
from enum import StrEnum
from typing import Any

from pydantic import BaseModel, ConfigDict

from wicc_flow.board.sections.base import dumped, restored
from wicc_shared.catalogue import SITREP_AMENDED, SITREP_MISSED, SITREP_SUBMITTED
from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.catalogue.sitreps import SitrepMissed, SitrepRecorded
from wicc_shared.kernel.reference import BedArea

# Dates kept per organisation: the 14-day amendment window and the day itself.
KEPT_DAYS = 15
# Dates shown per organisation in a snapshot (newest first).
SHOWN_DAYS = 7


class ReturnStatus(StrEnum):
    on_time = "on_time"
    late = "late"  # submitted after the deadline
    missed = "missed"  # announced missing when the deadline passed; nothing since


class SitrepDay(BaseModel):
    """One organisation's return for one sitrep date."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    date: dt.date
    status: ReturnStatus
    version: int | None
    submitted_at: datetime | None
    amended_at: datetime | None
    deadline: datetime


class SitrepArea(BaseModel):
    """A bed area's figures from the organisation's latest sitrep that gave them."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    bed_area: BedArea
    date: dt.date
    core_open: int
    escalation_open: int
    occupied: int


class OrgSitreps(BaseModel):
    model_config = ConfigDict(extra="forbid")

    org: str
    system: str
    days: dict[str, SitrepDay] = {}  # by ISO date
    areas: dict[str, SitrepArea] = {}  # by bed area

    def record(self, payload: SitrepRecorded) -> None:
        held = self.days.get(payload.date.isoformat())
        if held is not None and held.version is not None and held.version > payload.version:
            return  # an older version replayed from the log
        self._set_day(
            SitrepDay(
                date=payload.date,
                status=ReturnStatus.late if payload.late else ReturnStatus.on_time,
                version=payload.version,
                submitted_at=payload.submitted_at,
                amended_at=payload.amended_at,
                deadline=payload.deadline,
            )
        )
        self._take_areas(payload)

    def miss(self, payload: SitrepMissed) -> None:
        if payload.date.isoformat() in self.days:
            return  # a return arrived first: it stands
        self._set_day(
            SitrepDay(
                date=payload.date,
                status=ReturnStatus.missed,
                version=None,
                submitted_at=None,
                amended_at=None,
                deadline=payload.deadline,
            )
        )

    def _set_day(self, day: SitrepDay) -> None:
        self.days[day.date.isoformat()] = day
        kept = sorted(self.days, reverse=True)[:KEPT_DAYS]
        self.days = {key: self.days[key] for key in sorted(kept)}

    def _take_areas(self, payload: SitrepRecorded) -> None:
        reported = set()
        for area in payload.figures.beds:
            reported.add(area.bed_area.value)
            held = self.areas.get(area.bed_area.value)
            if held is None or held.date <= payload.date:
                self.areas[area.bed_area.value] = SitrepArea(
                    bed_area=area.bed_area,
                    date=payload.date,
                    core_open=area.core_open,
                    escalation_open=area.escalation_open,
                    occupied=area.occupied,
                )
        self.areas = {
            key: area
            for key, area in self.areas.items()
            if key in reported or area.date != payload.date
        }

    def view(self) -> dict[str, Any]:
        recent = [self.days[key] for key in sorted(self.days, reverse=True)[:SHOWN_DAYS]]
        latest = recent[0].model_dump(mode="json")
        return {
            "org": self.org,
            "system": self.system,
            **latest,
            "recent": [day.model_dump(mode="json") for day in recent],
            "areas": [self.areas[key].model_dump(mode="json") for key in sorted(self.areas)],
        }


class SitrepsSection:
    key = "sitreps"
    event_types: tuple[EventType[Any], ...] = (SITREP_SUBMITTED, SITREP_AMENDED, SITREP_MISSED)

    def __init__(self) -> None:
        self.orgs: dict[str, OrgSitreps] = {}

    def apply(self, event_type: EventType[Any], payload: EventPayload) -> None:
        assert isinstance(payload, SitrepRecorded | SitrepMissed)
        org = self.orgs.setdefault(payload.org, OrgSitreps(org=payload.org, system=payload.system))
        if isinstance(payload, SitrepMissed):
            org.miss(payload)
        else:
            org.record(payload)

    def state(self) -> dict[str, Any]:
        return dumped(self.orgs)

    def restore(self, state: dict[str, Any]) -> None:
        self.orgs = restored(state, OrgSitreps)

    def view(self, now: datetime) -> dict[str, Any]:
        shown = [self.orgs[key].view() for key in sorted(self.orgs) if self.orgs[key].days]
        return {"sitreps": shown} if shown else {}

    def next_stale_at(self, now: datetime) -> datetime | None:
        return None  # returns do not age: a late one stays late
