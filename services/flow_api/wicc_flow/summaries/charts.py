"""The summary's charts, drawn by matplotlib as SVG strings, each with a text alternative.

- Readable in black and white: two series are white and near-black bars with black
  edges; the seven delay bands add hatching to grey levels; lines differ by marker
  and line style; values are written on the bars. Nothing depends on colour.
  Hatching is kept to the one chart that needs it: printed to PDF, Chromium turns
  each hatch pattern into a bitmap (about 0.4 MB a chart).
- Deterministic: a fixed `svg.hashsalt` (element ids), no date or creator
  metadata and glyphs drawn as paths from matplotlib's bundled DejaVu Sans, so
  the same document gives the same bytes and two versions can be compared.
- No display: only the object-oriented API and the SVG canvas are used (never
  pyplot), so no GUI backend is ever chosen.
- matplotlib's rcParams are process-wide: rendering holds a lock while it uses
  its own settings, so concurrent builds cannot mix styles.
"""

from __future__ import annotations

import io
import threading
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import date
from typing import Any

import matplotlib
from matplotlib.axes import Axes
from matplotlib.figure import Figure as MplFigure
from matplotlib.typing import RcKeyType

from wicc_flow.summaries.codes import DelayBand, Pathway
from wicc_flow.summaries.document import (
    Area,
    CapacityDemand,
    CareCapacitySection,
    PatientsReady,
    SummaryDocument,
    TrendPoint,
    Trends,
)
from wicc_flow.summaries.figures import Figure
from wicc_flow.summaries.formatting import day_month, number, value_text
from wicc_flow.summaries.tables import (
    Table,
    care_table,
    figure_cell,
    label,
    pathway_band_table,
    trend_table,
)

OCCUPANCY_LINE = 92.0  # above ~92 % flow suffers (domain reference); drawn on the charts
WIDTH_INCHES = 7.0  # an A4 page's text width with print margins

_STYLE: dict[RcKeyType, Any] = {
    "svg.hashsalt": "wicc-summary",
    "svg.fonttype": "path",
    "font.family": "DejaVu Sans",
    "font.size": 7.5,
    "axes.spines.top": False,
    "axes.spines.right": False,
    "axes.edgecolor": "black",
    "axes.linewidth": 0.6,
    "hatch.linewidth": 0.6,
    "legend.frameon": False,
    "legend.fontsize": 7,
}
# No metadata block at all: no date or version to differ between builds.
_METADATA: dict[str, Any] = {"Date": None, "Creator": None, "Format": None, "Type": None}
_LOCK = threading.Lock()

# Seven distinguishable fills for black and white: grey level and hatch together.
# Line hatches only: dot hatches ("..") are drawn as thousands of tiny circles.
_FILLS: tuple[tuple[str, str], ...] = (
    ("white", ""),
    ("white", "////"),
    ("#bfbfbf", ""),
    ("#bfbfbf", "\\\\\\\\"),
    ("#7f7f7f", ""),
    ("#7f7f7f", "xx"),
    ("#262626", ""),
)
_MARKERS = ("o", "s", "^", "D", "v", "P")
_LINES = ("-", "--", ":", "-.")


@dataclass(frozen=True)
class Chart:
    key: str
    title: str
    svg: str  # an inline <svg> element: no XML declaration or doctype
    summary: str  # the text alternative in one sentence
    table: Table  # the chart's numbers, for a reader who cannot see it


def _stale_note(figures: Iterable[Figure]) -> str:
    """Said in the text alternative, and shown on the chart by `_stale_label`."""
    return " Some of these figures are STALE." if any(f.stale for f in figures) else ""


def _stale_label(name: str, figures: Iterable[Figure]) -> str:
    return f"{name} (STALE)" if any(f.stale for f in figures) else name


@contextmanager
def _drawing(height: float) -> Iterator[MplFigure]:
    with _LOCK, matplotlib.rc_context(_STYLE):
        yield MplFigure(figsize=(WIDTH_INCHES, height), layout="constrained")


def _svg(figure: MplFigure) -> str:
    buffer = io.StringIO()
    figure.savefig(buffer, format="svg", metadata=_METADATA)
    text = buffer.getvalue()
    return text[text.index("<svg") :]


def summary_charts(doc: SummaryDocument) -> dict[str, Chart]:
    """The charts the document has data for, by key; a section not available has none."""
    made = [
        occupancy_chart(doc.organisations),
        pathway_band_chart(doc.system.patients) if doc.system.patients else None,
        capacity_chart(doc.care) if doc.care else None,
        trend_chart(doc.trends) if doc.trends else None,
    ]
    return {chart.key: chart for chart in made if chart is not None}


def occupancy_chart(areas: Sequence[Area], line: float = OCCUPANCY_LINE) -> Chart | None:
    """Adult G&A occupancy per trust, core and with escalation, against the line."""
    rows = [(a.short_name, a.beds) for a in areas if a.beds is not None]
    if not rows:
        return None
    figures = [f for _, b in rows for f in (b.occupancy_core.today, b.occupancy.today)]
    core = [b.occupancy_core.today.value for _, b in rows]
    total = [b.occupancy.today.value for _, b in rows]
    with _drawing(0.9 + 0.42 * len(rows)) as figure:
        ax = figure.add_subplot()
        _occupancy_bars(ax, [name for name, _ in rows], core, total)
        if any(f.stale for f in figures):
            ax.set_title("Some figures are STALE", loc="left", fontweight="bold")
        ax.axvline(line, color="black", linestyle="--", linewidth=1, label=f"{number(line)} %")
        ax.set_xlim(0, max(100.0, *total) + 12)
        ax.set_xlabel("Adult G&A beds occupied, %")
        figure.legend(loc="outside upper center", ncols=3)
        svg = _svg(figure)
    above = [name for (name, _), value in zip(rows, total, strict=True) if value > line]
    listed = ", ".join(f"{name} {number(v)} %" for (name, _), v in zip(rows, total, strict=True))
    summary = (
        f"Adult G&A occupancy, core and escalation beds together: {listed}; "
        f"{len(above)} of {len(rows)} above {number(line)} %.{_stale_note(figures)}"
    )
    table = Table(
        caption="Adult G&A occupancy by trust",
        header=("Trust", "Core beds", "Core + escalation"),
        rows=tuple(
            (label(name), figure_cell(b.occupancy_core.today), figure_cell(b.occupancy.today))
            for name, b in rows
        ),
    )
    return Chart("occupancy", "Occupancy by trust", svg, summary, table)


def _occupancy_bars(ax: Axes, names: list[str], core: list[float], total: list[float]) -> None:
    height = 0.38
    places = range(len(names))
    for offset, values, fill, hatch, name in (
        (-height / 2, core, "white", "", "Core beds"),
        (height / 2, total, "#595959", "", "Core + escalation"),
    ):
        bars = ax.barh(
            [p + offset for p in places],
            values,
            height=height,
            color=fill,
            hatch=hatch,
            edgecolor="black",
            linewidth=0.6,
            label=name,
        )
        ax.bar_label(bars, labels=[f"{number(v)} %" for v in values], padding=2)
    ax.set_yticks(list(places), labels=names)
    ax.invert_yaxis()


def pathway_band_chart(patients: PatientsReady) -> Chart | None:
    """Patients ready to leave by pathway, each bar stacked by days waiting."""
    table = pathway_band_table(patients)
    cross = patients.by_pathway_band
    if cross is None or table is None:
        return None
    pathways = list(Pathway)
    cells = [cross[p][b] for p in pathways for b in DelayBand]
    with _drawing(2.6) as figure:
        ax = figure.add_subplot()
        bottoms = [0.0] * len(pathways)
        for band, (fill, hatch) in zip(DelayBand, _FILLS, strict=True):
            heights = [cross[p][band].value for p in pathways]
            ax.bar(
                [p.value for p in pathways],
                heights,
                bottom=bottoms,
                color=fill,
                hatch=hatch,
                edgecolor="black",
                linewidth=0.6,
                label=f"{band.value} d",
                width=0.6,
            )
            bottoms = [b + h for b, h in zip(bottoms, heights, strict=True)]
        for x, total in enumerate(bottoms):
            ax.annotate(
                number(int(total)),
                (x, total),
                ha="center",
                va="bottom",
                xytext=(0, 2),
                textcoords="offset points",
            )
        ax.set_ylim(0, max(bottoms) * 1.15 + 1)
        ax.set_ylabel("Patients ready to leave")
        handles, labels = ax.get_legend_handles_labels()
        # Reversed, so the legend reads top to bottom as the stack does.
        figure.legend(
            handles[::-1],
            labels[::-1],
            loc="outside right center",
            title=_stale_label("Days waiting", cells),
        )
        svg = _svg(figure)
    counts = ", ".join(f"{p.value} {number(patients.by_pathway[p].value)}" for p in pathways)
    long_waits = patients.by_band[DelayBand.d21_plus].value
    summary = (
        f"Patients ready to leave by pathway: {counts}; "
        f"{number(long_waits)} have waited 21 days or more since they were ready."
        + _stale_note(cells)
    )
    return Chart("pathway_band", "Ready to leave by pathway and delay", svg, summary, table)


def capacity_chart(care: CareCapacitySection) -> Chart | None:
    """Capacity against patients waiting, per locality and pathway (where capacity is
    counted). Without patient counts only the capacity is drawn, and the text says so."""
    rows = [r for r in care.rows if r.capacity is not None]
    if not rows:
        return None
    names = [f"{r.locality_name}\n{r.pathway.value}" for r in rows]
    capacity = [r.capacity.value for r in rows if r.capacity is not None]
    waiting = [r.demand.value if r.demand is not None else None for r in rows]
    known = any(w is not None for w in waiting)
    stale = [f for r in rows for f in (r.capacity, r.demand) if f is not None]
    shown: list[float | None] = list(capacity)
    series: list[_Series] = [(capacity, "white", _stale_label("Capacity (places)", stale), shown)]
    if known:
        series.append(([w or 0 for w in waiting], "#595959", "Waiting (patients)", waiting))
    with _drawing(2.6) as figure:
        ax = figure.add_subplot()
        _paired_bars(ax, series)
        ax.set_xticks(list(range(len(rows))), labels=names)
        ax.set_ylim(0, max(*capacity, *(w or 0 for w in waiting), 1) * 1.2)
        if not known:
            ax.set_title("Patients waiting: not available", loc="left")
        figure.legend(loc="outside upper center", ncols=2)
        svg = _svg(figure)
    summary = _capacity_summary(rows, known) + "." + _stale_note(stale)
    return Chart("capacity", "Capacity against demand", svg, summary, care_table(care))


_Series = tuple[Sequence[float], str, str, Sequence[float | None]]


def _paired_bars(ax: Axes, series: Sequence[_Series]) -> None:
    """Side by side bars per position, one set per series, each labelled with its value
    ("n/a" where the value is not known)."""
    width = 0.76 / len(series)
    for i, (values, fill, name, shown) in enumerate(series):
        offset = (i - (len(series) - 1) / 2) * width
        bars = ax.bar(
            [p + offset for p in range(len(values))],
            values,
            width=width,
            color=fill,
            edgecolor="black",
            linewidth=0.6,
            label=name,
        )
        labels = ["n/a" if v is None else number(v) for v in shown]
        ax.bar_label(bars, labels=labels, padding=1)


def _capacity_summary(rows: Sequence[CapacityDemand], known: bool) -> str:
    if not known:
        listed = ", ".join(
            f"{r.locality_name} {r.pathway.value} {number(r.capacity.value)}"
            for r in rows
            if r.capacity is not None
        )
        return f"Care capacity in places: {listed}; patients waiting are not available"
    short = [r for r in rows if r.gap is not None and r.gap.value < 0]
    summary = f"Care capacity against patients waiting: a shortfall in {len(short)} of {len(rows)}"
    if short:
        worst = min(short, key=lambda r: r.gap.value if r.gap else 0)
        summary += (
            f"; the largest in {worst.locality_name} {worst.pathway.value}: "
            f"{number(worst.capacity.value if worst.capacity else 0)} places for "
            f"{number(worst.demand.value if worst.demand else 0)} waiting"
        )
    return summary


def trend_chart(trends: Trends, line: float = OCCUPANCY_LINE) -> Chart | None:
    """The last 14 days: occupancy per trust, and the system's patients ready to leave."""
    if not trends.occupancy and trends.discharge_ready is None:
        return None
    with _drawing(2.5) as figure:
        left, right = figure.subplots(1, 2, width_ratios=(3, 2))
        days = sorted({p.day for t in trends.occupancy for p in t.points})
        for i, trend in enumerate(trends.occupancy):
            _line(left, days, trend.points, i, trend.label)
        left.set_title("Adult G&A occupancy, %", loc="left")
        if days:
            left.axhline(line, color="black", linestyle="--", linewidth=0.8)
            left.annotate(f"{number(line)} %", (0, line), xytext=(2, 2), textcoords="offset points")
        else:
            left.text(0.5, 0.5, "not available", ha="center", transform=left.transAxes)
        ready = trends.discharge_ready
        if ready is not None:
            ready_days = [p.day for p in ready.points]
            _line(right, ready_days, ready.points, 0, None)
            right.set_title(ready.label, loc="left")
        else:
            right.text(0.5, 0.5, "not available", ha="center", transform=right.transAxes)
        svg = _svg(figure)
    return Chart("trends", "The last 14 days", svg, _trend_summary(trends), trend_table(trends))


def _line(
    ax: Axes, days: list[date], points: Sequence[TrendPoint], i: int, name: str | None
) -> None:
    index = {day: n for n, day in enumerate(days)}
    xs = [index[p.day] for p in points]
    ys = [p.figure.value for p in points]
    ax.plot(
        xs,
        ys,
        color="black",
        marker=_MARKERS[i % 6],
        linestyle=_LINES[i % 4],
        linewidth=1,
        markersize=3.5,
        markerfacecolor="white" if i % 2 else "black",
    )
    if xs:
        ax.annotate(
            name or number(ys[-1]),
            (xs[-1], ys[-1]),
            xytext=(4, 0),
            textcoords="offset points",
            va="center",
        )
    ticks = list(range(0, len(days), 3))
    ax.set_xticks(ticks, labels=[day_month(days[t]) for t in ticks])
    ax.set_xlim(-0.5, len(days) + 2.5)  # room for the direct labels at the right


def _trend_summary(trends: Trends) -> str:
    parts = [
        f"{t.label} from {value_text(t.points[0].figure)} to {value_text(t.points[-1].figure)}"
        for t in trends.occupancy
        if t.points
    ]
    ready = trends.discharge_ready
    if ready is not None and ready.points:
        parts.append(
            f"{ready.label.lower()} from {number(ready.points[0].figure.value)} "
            f"to {number(ready.points[-1].figure.value)}"
        )
    series = [*trends.occupancy, *([ready] if ready else [])]
    stale = _stale_note(p.figure for t in series for p in t.points)
    return "Over the last 14 days: " + "; ".join(parts) + "." + stale
