"""The order of the summary and what each part says, for every renderer.

The top of the page is fixed: stale sources first (never hidden), then what
changed, then the sections. A section not available says so in words; its
`chart` names the chart the HTML page draws beside its tables.
"""

from __future__ import annotations

import re
from dataclasses import dataclass, field
from zoneinfo import ZoneInfo

from wicc_flow.summaries.document import (
    SitrepSection,
    SitrepStatus,
    SourceFreshness,
    SummaryDocument,
)
from wicc_flow.summaries.formatting import NOT_AVAILABLE, age_text, local_time, long_date, plural
from wicc_flow.summaries.tables import (
    Table,
    beds_table,
    care_table,
    freshness_table,
    opel_table,
    outlook_table,
    pathway_band_table,
    patients_table,
    reasons_table,
    sitrep_table,
    trend_table,
)

NO_CHANGES = "No movement above the thresholds since yesterday."
ALL_CURRENT = "All sources were current when this summary was built."


@dataclass(frozen=True)
class Section:
    key: str
    title: str
    tables: list[Table] = field(default_factory=list)
    paragraphs: list[str] = field(default_factory=list)
    chart: str | None = None  # key of the chart drawn for this section, if any
    available: bool = True


def title(doc: SummaryDocument) -> str:
    return f"Daily system call: {doc.system.name}, {long_date(doc.day)}"


def stale_lines(doc: SummaryDocument) -> list[str]:
    """One sentence per stale source, oldest first."""
    zone = ZoneInfo(doc.timezone)
    return [_stale_line(f, zone, doc) for f in doc.stale_sources()]


def _stale_line(fresh: SourceFreshness, zone: ZoneInfo, doc: SummaryDocument) -> str:
    if fresh.as_of is None:
        return f"{fresh.label} ({fresh.source}): nothing received."
    when = local_time(fresh.as_of, zone, doc.day)
    return (
        f"{fresh.label} ({fresh.source}): oldest figure {age_text(fresh.age_seconds)} old "
        f"(from {when}; stale after {age_text(fresh.limit_seconds)})."
    )


def ages_line(doc: SummaryDocument) -> str | None:
    """How old the figures of each kind of source were, in one line for the top of the
    page: "Age of the figures: Bed figures 40 minutes to 27 hours; Sitrep returns ..."."""
    kinds: dict[str, list[SourceFreshness]] = {}
    for fresh in doc.freshness:
        kinds.setdefault(fresh.source.split("?")[0], []).append(fresh)
    parts = [_kind_ages(members) for members in kinds.values()]
    return "Age of the figures: " + "; ".join(parts) + "." if parts else None


def _kind_ages(members: list[SourceFreshness]) -> str:
    name = re.split(r"[,:]", members[0].label)[0]
    ages = [f.age_seconds for f in members if f.age_seconds is not None]
    if not ages:
        return f"{name} never received"
    low, high = age_text(min(ages)), age_text(max(ages))
    text = f"{name} {low}" if low == high else f"{name} {low} to {high}"
    never = len(members) - len(ages)
    return text + (f" ({plural(never, 'source')} never received)" if never else "")


def build_line(doc: SummaryDocument) -> str:
    build = doc.build
    when = local_time(build.built_at, ZoneInfo(doc.timezone), doc.day)
    trigger = "scheduled" if build.built_by.value == "scheduled" else "on demand"
    return (
        f"Version {build.version}, built {long_date(doc.day)} {when} ({doc.timezone}), "
        f"{trigger}. Document schema {doc.schema_version}."
    )


def sections(doc: SummaryDocument) -> list[Section]:
    system_patients = doc.system.patients
    patient_tables = [
        patients_table(doc),
        pathway_band_table(system_patients) if system_patients else None,
        reasons_table(doc),
    ]
    return [
        _section("opel", "OPEL", [opel_table(doc)]),
        _section("beds", "Beds", [beds_table(doc)], chart="occupancy"),
        _section("patients", "Patients ready to leave", patient_tables, chart="pathway_band"),
        _section(
            "care",
            "Care capacity against demand",
            [care_table(doc.care)] if doc.care else [],
            chart="capacity",
        ),
        _sitreps(doc),
        _outlook(doc),
        _section(
            "trends",
            "The last 14 days",
            [trend_table(doc.trends)] if doc.trends else [],
            chart="trends",
        ),
        _section("sources", "Sources", [freshness_table(doc)]),
    ]


def _section(key: str, name: str, tables: list[Table | None], chart: str | None = None) -> Section:
    present = [t for t in tables if t is not None]
    return Section(key, name, present, chart=chart, available=bool(present))


def _sitreps(doc: SummaryDocument) -> Section:
    if doc.sitreps is None:
        return Section("sitreps", "Sitrep returns", available=False)
    return Section(
        "sitreps",
        "Sitrep returns",
        [sitrep_table(doc.sitreps, doc)],
        paragraphs=_sitrep_lines(doc.sitreps),
    )


def _sitrep_lines(sitreps: SitrepSection) -> list[str]:
    lines = []
    for status, words in ((SitrepStatus.missing, "Not submitted"), (SitrepStatus.late, "Late")):
        names = [r.org_name for r in sitreps.with_status(status)]
        if names:
            lines.append(f"{words}: {', '.join(names)}.")
    return lines or ["Every return was in on time."]


def _outlook(doc: SummaryDocument) -> Section:
    if doc.outlook is None:
        return Section("outlook", "Outlook: the next 7 days", available=False)
    return Section(
        "outlook",
        "Outlook: the next 7 days",
        [outlook_table(doc.outlook)],
        paragraphs=[doc.outlook.method],
    )


__all__ = [
    "NOT_AVAILABLE",
    "Section",
    "ages_line",
    "build_line",
    "sections",
    "stale_lines",
    "title",
]
