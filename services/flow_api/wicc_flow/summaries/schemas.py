"""Response bodies of the summaries API (the document itself is `document.py`'s)."""

from __future__ import annotations

import datetime as dt

from pydantic import BaseModel, Field

from wicc_shared.catalogue.summaries import SummaryTrigger
from wicc_shared.pagination import Page

SUMMARIES_PATH = "/flow/v1/summaries"


def summary_path(system: str, day: dt.date, version: int | None = None) -> str:
    path = f"{SUMMARIES_PATH}/{system}/{day.isoformat()}"
    return path if version is None else f"{path}?version={version}"


class SummaryBuild(BaseModel):
    """One build of a system's summary for a day: what it is and where to read it."""

    system: str
    date: dt.date = Field(description="The day the summary is for (in the system's time zone)")
    version: int = Field(description="1 for the day's first build, +1 per rebuild")
    built_at: dt.datetime
    trigger: SummaryTrigger = Field(description="`scheduled` (the worker) or `on_demand`")
    built_by: str = Field(description="API key id, or `system:<job>` for the worker")
    stale_sources: int = Field(description="Sources named stale at the top of the summary")
    href: str = Field(description="This version; `GET` it as JSON, Markdown or HTML")


class SummaryBuildPage(Page[SummaryBuild]):
    """Builds, newest day first, then by system and newest version first."""
