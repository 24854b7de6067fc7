"""`wicc summary`: a care system's daily summary on standard output, for the person who
chairs the call (`wicc summary --system wiltshire --format html > brief.html`).

It reads the latest version of the day's summary, and builds one (a new version,
announced and audited as `system:cli`) when there is none or `--rebuild` asks.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from wicc.app import Settings
from wicc_flow.patients.delay_reasons import load_delay_reasons
from wicc_flow.summaries import rendering, service
from wicc_flow.summaries.negotiation import HTML, JSON, MARKDOWN
from wicc_shared import audited_write
from wicc_shared.runtime import close_runtime, open_runtime

FORMATS = {"html": HTML, "markdown": MARKDOWN, "json": JSON}
ACTOR = audited_write.SystemActor("cli")


@dataclass(frozen=True)
class SummaryRequest:
    system: str
    day: dt.date | None
    format: str  # a key of FORMATS
    rebuild: bool


async def summary_text(settings: Settings, request: SummaryRequest) -> str:
    """The rendered summary; a `WiccError` says why there is none."""
    rendering.configure(settings.matplotlib_config_dir)
    runtime = await open_runtime(settings, name="cli")
    try:
        async with runtime.transaction() as session:
            stored = await service.latest_or_build(
                session,
                runtime.stream,
                ACTOR,
                request.system,
                request.day,
                now=runtime.clock(),
                rebuild=request.rebuild,
                care_freshness_hours=settings.care_freshness_hours,
                reasons=load_delay_reasons(settings.delay_reasons_file),
            )
            document = service.document_of(stored)
        text = await rendering.render(document, FORMATS[request.format])
    finally:
        await close_runtime(runtime)
    return text if text.endswith("\n") else text + "\n"
