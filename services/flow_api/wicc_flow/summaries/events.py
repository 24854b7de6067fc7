"""The summary event the flow service announces, built from a stored build."""

from __future__ import annotations

from wicc_flow.summaries.models import Summary
from wicc_flow.summaries.schemas import summary_path
from wicc_shared.catalogue.summaries import MEDIA_TYPES, SummaryPublished, SummaryTrigger


def summary_published(summary: Summary) -> SummaryPublished:
    """Counts only: who built it stays in the audit log."""
    return SummaryPublished(
        system=summary.system_code,
        date=summary.day,
        version=summary.version,
        built_at=summary.built_at,
        trigger=SummaryTrigger(summary.trigger),
        stale_sources=summary.stale_sources,
        href=summary_path(summary.system_code, summary.day, summary.version),
        media_types=list(MEDIA_TYPES),
    )
