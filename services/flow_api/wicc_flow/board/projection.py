"""The board's live picture of the system, built only from events, section by section
(`board/sections/`)."""

from __future__ import annotations

import logging
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from typing import Any

from pydantic import ValidationError

from wicc_flow.board.sections.base import BoardSection
from wicc_flow.board.sections.beds import BedsSection
from wicc_flow.board.sections.care import CareSection
from wicc_flow.board.sections.opel import OpelSection
from wicc_flow.board.sections.patients import PatientsSection
from wicc_flow.board.sections.sitreps import SitrepsSection
from wicc_shared.catalogue import CATALOGUE
from wicc_shared.events.envelope import Event

logger = logging.getLogger(__name__)


def board_sections(care_freshness_hours: Mapping[str, float] | None = None) -> list[BoardSection]:
    """Every section of the board, in the order their keys appear in a snapshot."""
    care = CareSection(care_freshness_hours)
    return [
        BedsSection(),
        care,
        PatientsSection(care, care_freshness_hours),
        SitrepsSection(),
        OpelSection(),
    ]


# Event types the board shows. Anything else on the log is not the board's business
# (and must never carry personal data onto the shared screen).
BOARD_EVENTS = tuple(t for section in board_sections() for t in section.event_types)
BOARD_EVENT_TYPES = CATALOGUE.names_of(BOARD_EVENTS)


class BoardProjection:
    def __init__(
        self,
        state: dict[str, Any] | None = None,
        *,
        care_freshness_hours: Mapping[str, float] | None = None,
    ) -> None:
        self.sections: Sequence[BoardSection] = board_sections(care_freshness_hours)
        self._by_type = {
            name: section
            for section in self.sections
            for name in CATALOGUE.names_of(section.event_types)
        }
        for section in self.sections:
            section.restore((state or {}).get(section.key, {}))

    def apply(self, event: Event) -> None:
        section = self._by_type.get(event.type)
        event_type = CATALOGUE.get(event.type)
        if section is None or event_type is None:
            return
        try:
            payload = event_type.parse(event)
        except ValidationError:
            # An event of a payload version the board cannot show: skipped, not
            # allowed to stop the board; the next report replaces it.
            logger.warning("board skipped an unreadable %s event %s", event.type, event.id)
            return
        section.apply(event_type, payload)

    def state(self) -> dict[str, Any]:
        return {section.key: section.state() for section in self.sections}

    def view(self, now: datetime | None = None) -> dict[str, Any]:
        """What a board shows: every section's keys, at `now`."""
        now = now or datetime.now(UTC)
        view: dict[str, Any] = {}
        for section in self.sections:
            view.update(section.view(now))
        return view

    def next_stale_at(self, now: datetime) -> datetime | None:
        """When the next figure that is fresh at `now` turns stale (None: never)."""
        ends = [section.next_stale_at(now) for section in self.sections]
        return min((end for end in ends if end is not None), default=None)
