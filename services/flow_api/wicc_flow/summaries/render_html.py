"""The summary as one print-ready A4 HTML document.

Jinja2 (autoescaping on, strict undefined) rather than string building: the page
is mostly markup, the template keeps it readable, and autoescaping escapes every
text value by default instead of relying on each call remembering to. The page
needs nothing from outside: the CSS is inline, fonts are the reader's own, and
the charts are inline SVG whose glyphs are paths.
"""

from __future__ import annotations

from collections.abc import Mapping
from functools import cache
from zoneinfo import ZoneInfo

from jinja2 import Environment, PackageLoader, StrictUndefined
from markupsafe import Markup

from wicc_flow.summaries.charts import Chart, summary_charts
from wicc_flow.summaries.document import SummaryDocument
from wicc_flow.summaries.formatting import local_time, plural
from wicc_flow.summaries.layout import (
    ALL_CURRENT,
    NO_CHANGES,
    ages_line,
    build_line,
    sections,
    stale_lines,
    title,
)
from wicc_flow.summaries.tables import Cell, numeric_columns

TEMPLATE = "summary.html.j2"


@cache
def _environment() -> Environment:
    return Environment(
        loader=PackageLoader("wicc_flow.summaries", "templates"),
        autoescape=True,
        undefined=StrictUndefined,
        trim_blocks=True,
        lstrip_blocks=True,
        keep_trailing_newline=True,
    )


def render_html(doc: SummaryDocument, charts: Mapping[str, Chart] | None = None) -> str:
    """The page; `charts` defaults to drawing them now (pass them to reuse a drawing)."""
    drawn = summary_charts(doc) if charts is None else charts
    stale = stale_lines(doc)
    zone = ZoneInfo(doc.timezone)

    def cell_title(cell: Cell) -> str:
        if cell.figure is None:
            return ""
        when = local_time(cell.figure.as_of, zone, doc.day)
        mark = ", stale" if cell.figure.stale else ""
        return f"{cell.figure.source}, as of {when}{mark}"

    return (
        _environment()
        .get_template(TEMPLATE)
        .render(
            title=title(doc),
            stale=stale,
            stale_count=plural(len(stale), "source"),
            all_current=ALL_CURRENT,
            ages=ages_line(doc),
            caveats=doc.caveats,
            changes=[c.text for c in doc.changes],
            no_changes=NO_CHANGES,
            sections=sections(doc),
            charts=drawn,
            # Matplotlib's SVG: markup we generate (text drawn as paths, comments escaped).
            svgs={key: Markup(chart.svg) for key, chart in drawn.items()},  # noqa: S704
            build_line=build_line(doc),
            cell_title=cell_title,
            numeric_columns=numeric_columns,
        )
    )
