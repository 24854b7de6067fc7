"""Summary events: a daily system-call summary was built.

The event says that a new version exists and where to fetch it; the summary itself
stays behind the flow API (it is counts only, but it is a page, not an event). A
trust's or the ICB's system that receives it as a callback fetches the format it
wants from `href` by content negotiation.
"""

from __future__ import annotations

import datetime as dt
from enum import StrEnum

from pydantic import Field

from wicc_shared.catalogue.base import EventPayload, EventScope, EventType

MEDIA_TYPES = ("application/json", "text/markdown", "text/html")


class SummaryTrigger(StrEnum):
    scheduled = "scheduled"  # the worker, at the system's summary time
    on_demand = "on_demand"  # a coordinator's or admin's request (API or CLI)


class SummaryPublished(EventPayload):
    """One build of one care system's summary for one day."""

    system: str = Field(description="Care system code")
    date: dt.date = Field(description="The day the summary is for (in the system's time zone)")
    version: int = Field(ge=1, description="1 for the day's first build, +1 per rebuild")
    built_at: dt.datetime
    trigger: SummaryTrigger
    stale_sources: int = Field(ge=0, description="Sources named stale at the top of the summary")
    href: str = Field(description="Path of this version; ask for a format with `Accept`")
    media_types: list[str] = Field(description="The formats `href` serves")

    def scope(self) -> EventScope:
        return EventScope(org=None, system=self.system)


SUMMARY_PUBLISHED = EventType(
    name="summary.published",
    payload=SummaryPublished,
    version=1,
    summary="A daily system-call summary was built (a new version of the day's summary)",
    producer="flow",
    subject=lambda p: f"summaries/{p.system}/{p.date.isoformat()}",
    subject_pattern="summaries/{system}/{date}",
)
