"""The summary's sections as plain tables, shared by the Markdown and HTML renderers.

What each section shows is decided here once; a renderer only lays the cells out.
Section tables put the system and each organisation in columns and one measure
per row, so a chat message stays a few columns wide. A table builder returns None
when no area has the section: the renderers then say "not available".
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import TypeVar
from zoneinfo import ZoneInfo

from wicc_flow.summaries.codes import DelayBand, Pathway
from wicc_flow.summaries.document import (
    Area,
    CareCapacitySection,
    Outlook,
    OutlookDay,
    PatientsReady,
    SitrepSection,
    SitrepStatus,
    SummaryDocument,
    Trends,
)
from wicc_flow.summaries.figures import Figure, Tracked
from wicc_flow.summaries.formatting import (
    age_text,
    change_text,
    local_time,
    number,
    short_date,
    value_text,
)

S = TypeVar("S")
MISSING = "n/a"  # a single figure that was not available; explained under each table


@dataclass(frozen=True)
class Cell:
    text: str
    figure: Figure | None = None  # the figure shown: its source, as_of and stale flag
    indent: bool = False  # a row label under the one above ("7-day mean")

    @property
    def stale(self) -> bool:
        return self.figure is not None and self.figure.stale


def numeric_columns(table: Table) -> list[bool]:
    """Columns that hold figures (right-aligned by the renderers)."""
    return [any(row[i].figure is not None for row in table.rows) for i in range(len(table.header))]


@dataclass(frozen=True)
class Table:
    caption: str
    header: tuple[str, ...]
    rows: tuple[tuple[Cell, ...], ...]
    notes: tuple[str, ...] = ()


def label(text: str) -> Cell:
    return Cell(text)


def sub(text: str) -> str:
    """Marks a row name as belonging to the row above (see `_area_table`)."""
    return _SUB + text


_SUB = "\t"


def figure_cell(figure: Figure | None, absent: str = MISSING) -> Cell:
    return Cell(absent) if figure is None else Cell(value_text(figure), figure)


def tracked_cell(item: Tracked) -> Cell:
    """Today's value with its change since yesterday: "97.0 % (+4.0)"."""
    text = value_text(item.today)
    if item.change is not None:
        text += f" ({change_text(item.change)})"
    return Cell(text, item.today)


def mean_cell(item: Tracked) -> Cell:
    return figure_cell(item.mean_7d)


def _area_table(
    caption: str,
    areas: Sequence[Area],
    section: Callable[[Area], S | None],
    rows: Sequence[tuple[str, Callable[[S], Cell]]],
) -> Table | None:
    present = [(a, s) for a in areas if (s := section(a)) is not None]
    if not present:
        return None
    absent = [a.short_name for a in areas if section(a) is None]
    body = tuple((_row_label(name), *(cell(s) for _, s in present)) for name, cell in rows)
    notes = [f"Not available for: {', '.join(absent)}."] if absent else []
    if any(c.text == MISSING for row in body for c in row):
        notes.append(f"{MISSING}: not available.")
    return Table(
        caption=caption,
        header=("", *(a.short_name for a, _ in present)),
        rows=body,
        notes=(*notes, "Changes in brackets are since yesterday."),
    )


def _row_label(name: str) -> Cell:
    return Cell(name.removeprefix(_SUB), indent=name.startswith(_SUB))


def opel_table(doc: SummaryDocument) -> Table | None:
    return _area_table(
        "OPEL",
        doc.areas(),
        lambda a: a.opel,
        [
            ("Level in force", lambda o: tracked_cell(o.level)),
            ("Calculated level", lambda o: figure_cell(o.calculated_level)),
            ("Declared level", lambda o: figure_cell(o.declared_level, "none declared")),
            ("Score", lambda o: tracked_cell(o.score)),
            ("Open actions", lambda o: figure_cell(o.open_actions)),
            ("Overdue actions", lambda o: tracked_cell(o.overdue_actions)),
        ],
    )


def beds_table(doc: SummaryDocument) -> Table | None:
    return _area_table(
        "Beds: adult general and acute",
        doc.areas(),
        lambda a: a.beds,
        [
            ("Occupancy (core + escalation)", lambda b: tracked_cell(b.occupancy)),
            (sub("7-day mean"), lambda b: mean_cell(b.occupancy)),
            ("Occupancy (core beds)", lambda b: tracked_cell(b.occupancy_core)),
            (sub("7-day mean"), lambda b: mean_cell(b.occupancy_core)),
            ("Escalation beds open", lambda b: tracked_cell(b.escalation_beds_open)),
            (sub("7-day mean"), lambda b: mean_cell(b.escalation_beds_open)),
            ("Beds closed for infection", lambda b: tracked_cell(b.beds_closed_infection)),
            (sub("7-day mean"), lambda b: mean_cell(b.beds_closed_infection)),
        ],
    )


def _days(band: DelayBand) -> str:
    return sub(f"waiting {band.value} {'day' if band == DelayBand.d1 else 'days'}")


def patients_table(doc: SummaryDocument) -> Table | None:
    def pathway_row(p: Pathway) -> tuple[str, Callable[[PatientsReady], Cell]]:
        return sub(f"pathway {p.value}"), lambda r: figure_cell(r.by_pathway[p])

    def band_row(b: DelayBand) -> tuple[str, Callable[[PatientsReady], Cell]]:
        return _days(b), lambda r: figure_cell(r.by_band[b])

    return _area_table(
        "Patients ready to leave",
        doc.areas(),
        lambda a: a.patients,
        [
            ("Ready to leave", lambda r: tracked_cell(r.total)),
            (sub("7-day mean"), lambda r: mean_cell(r.total)),
            *(pathway_row(p) for p in Pathway),
            *(band_row(b) for b in DelayBand),
            ("Lost bed days yesterday", lambda r: figure_cell(r.lost_bed_days_yesterday)),
            ("Lost bed days, last 7 days", lambda r: figure_cell(r.lost_bed_days_7d)),
        ],
    )


def pathway_band_table(patients: PatientsReady) -> Table | None:
    """Pathway by delay band: rows add up to the pathway, columns to the band."""
    cross = patients.by_pathway_band
    if cross is None:
        return None
    rows = [
        (label(p.value), *(figure_cell(cross[p][b]) for b in DelayBand), figure_cell(total))
        for p, total in ((p, patients.by_pathway[p]) for p in Pathway)
    ]
    rows.append(
        (
            label("All"),
            *(figure_cell(patients.by_band[b]) for b in DelayBand),
            figure_cell(patients.total.today),
        )
    )
    return Table(
        caption="Ready to leave by pathway and days waiting since ready",
        header=("Pathway", *(f"{b.value} d" for b in DelayBand), "Total"),
        rows=tuple(rows),
    )


def reasons_table(doc: SummaryDocument) -> Table | None:
    present = [a for a in doc.areas() if a.patients is not None]
    if not present:
        return None
    labels: dict[str, str] = {}
    for area in present:
        for reason in area.patients.by_reason if area.patients else []:
            labels.setdefault(reason.code, reason.label)
    rows = []
    for code, text in labels.items():
        cells = []
        for area in present:
            counts = {r.code: r.count for r in area.patients.by_reason} if area.patients else {}
            cells.append(figure_cell(counts.get(code), "0"))
        rows.append((label(f"{code}. {text}"), *cells))
    return Table(
        caption="Ready to leave by delay reason",
        header=("Reason", *(a.short_name for a in present)),
        rows=tuple(rows),
    )


def care_table(care: CareCapacitySection) -> Table:
    rows = tuple(
        (
            label(r.locality_name),
            label(r.pathway.value),
            figure_cell(r.capacity, "none counted"),
            figure_cell(r.demand),
            Cell(MISSING) if r.gap is None else Cell(_gap_text(r.gap), r.gap),
            label(r.basis),
        )
        for r in care.rows
    )
    return Table(
        caption="Care capacity against demand",
        header=("Locality", "Pathway", "Capacity", "Waiting", "Gap", "Capacity counts"),
        rows=rows,
        notes=("Gap = capacity - waiting: a negative gap is a shortfall.",),
    )


def _gap_text(gap: Figure) -> str:
    return number(gap.value) if gap.value <= 0 else f"+{number(gap.value)}"


_SITREP_ORDER = (
    SitrepStatus.missing,
    SitrepStatus.late,
    SitrepStatus.not_yet_due,
    SitrepStatus.on_time,
)
SITREP_WORDS = {
    SitrepStatus.missing: "not submitted",
    SitrepStatus.late: "late",
    SitrepStatus.not_yet_due: "not yet due",
    SitrepStatus.on_time: "on time",
}


def sitrep_table(sitreps: SitrepSection, doc: SummaryDocument) -> Table:
    zone = _zone(doc)
    ordered = sorted(sitreps.returns, key=lambda r: (_SITREP_ORDER.index(r.status), r.org_name))
    rows = tuple(
        (
            label(r.org_name),
            label(SITREP_WORDS[r.status]),
            label(local_time(r.submitted_at, zone, doc.day) if r.submitted_at else "-"),
        )
        for r in ordered
    )
    deadline = local_time(sitreps.deadline, zone, doc.day)
    return Table(
        caption=f"Sitrep returns for {short_date(sitreps.sitrep_date)} (due {deadline})",
        header=("Organisation", "Status", "Received"),
        rows=rows,
    )


def outlook_table(outlook: Outlook) -> Table:
    days = outlook.pathways[0].days if outlook.pathways else []
    rows = tuple(
        (
            label(p.pathway.value),
            *(_outlook_cell(d) for d in p.days),
            figure_cell(p.capacity_now, "none counted"),
        )
        for p in outlook.pathways
    )
    return Table(
        caption="Expected patients ready to leave per day (range)",
        header=("Pathway", *(short_date(d.day) for d in days), "Capacity now"),
        rows=rows,
    )


def _outlook_cell(day: OutlookDay) -> Cell:
    if day.expected is None:
        return Cell("no history")
    return Cell(f"{value_text(day.expected)} ({day.low}-{day.high})", day.expected)


def freshness_table(doc: SummaryDocument) -> Table:
    zone = _zone(doc)
    ordered = sorted(doc.freshness, key=lambda f: (not f.stale, f.source))
    rows = tuple(
        (
            label(f.label),
            label(f.source),
            label(local_time(f.as_of, zone, doc.day) if f.as_of else "never"),
            label(age_text(f.age_seconds)),
            label(age_text(f.limit_seconds)),
            label("STALE" if f.stale else "current"),
        )
        for f in ordered
    )
    return Table(
        caption="Sources and their age when the summary was built",
        header=("What", "Source", "Oldest figure", "Age", "Stale after", "State"),
        rows=rows,
    )


def trend_table(trends: Trends) -> Table:
    series = [*trends.occupancy, *([trends.discharge_ready] if trends.discharge_ready else [])]
    days = sorted({p.day for t in series for p in t.points})
    by_day = [{p.day: p.figure for p in t.points} for t in series]
    rows = tuple(
        (label(short_date(day)), *(figure_cell(points.get(day)) for points in by_day))
        for day in days
    )
    return Table(
        caption="The last 14 days",
        header=("Day", *(t.label for t in series)),
        rows=rows,
    )


def _zone(doc: SummaryDocument) -> ZoneInfo:
    return ZoneInfo(doc.timezone)
