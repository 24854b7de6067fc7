"""The HTML summary: one self-contained, print-ready A4 page with every figure,
stale sources in a box at the top, charts with text alternatives, values escaped."""

from __future__ import annotations

import re
from html.parser import HTMLParser

from tests.builders.summaries import wiltshire_areas, wiltshire_document
from tests.flow.summary_checks import cell_tokens, expected_tokens, missing
from wicc_flow.summaries.charts import summary_charts
from wicc_flow.summaries.document import Area, BuildTrigger
from wicc_flow.summaries.render_html import render_html

# URIs that name XML namespaces inside the SVGs: identifiers, never fetched.
NAMESPACES = {"http://www.w3.org/2000/svg", "http://www.w3.org/1999/xlink"}


class Page(HTMLParser):
    """Collects table cells, chart figures and section texts of a rendered page."""

    def __init__(self) -> None:
        super().__init__()
        self.cells: list[str] = []
        self.figures: list[dict[str, str | None]] = []
        self.sections: dict[str, str] = {}
        self._cell: list[str] | None = None
        self._section: str | None = None
        self._open: list[str] = []

    def handle_starttag(self, tag: str, attrs: list[tuple[str, str | None]]) -> None:
        found = dict(attrs)
        if tag in ("td", "th"):
            self._cell = []
        if tag == "section" and found.get("id"):
            self._section = found["id"]
            self.sections[self._section or ""] = ""
        if tag == "div" and found.get("role") == "img":
            self.figures.append(found)

    def handle_endtag(self, tag: str) -> None:
        if tag in ("td", "th") and self._cell is not None:
            self.cells.append("".join(self._cell))
            self._cell = None

    def handle_data(self, data: str) -> None:
        if self._cell is not None:
            self._cell.append(data)
        if self._section:
            self.sections[self._section] += data


def parse(html: str) -> Page:
    page = Page()
    page.feed(html)
    page.close()
    return page


def test_every_figure_of_the_document_is_shown() -> None:
    doc = wiltshire_document(care_stale=True)
    page = parse(render_html(doc))
    assert missing(expected_tokens(doc), cell_tokens(page.cells)) == {}


def test_a_print_ready_a4_page() -> None:
    html = render_html(wiltshire_document())
    assert html.startswith("<!DOCTYPE html>")
    assert "@page { size: A4; margin: 14mm 12mm 16mm 12mm; }" in html
    assert '<html lang="en-GB">' in html


def test_nothing_is_loaded_from_outside() -> None:
    html = render_html(wiltshire_document())
    for forbidden in ("<link", "<script", "<img", "<iframe", "@import", "@font-face"):
        assert forbidden not in html, forbidden
    # url() only ever points inside the page (the SVGs' clip paths and hatch patterns).
    assert set(re.findall(r"url\((.)", html)) == {"#"}
    assert set(re.findall(r"https?://[^\s\"'<>]+", html)) <= NAMESPACES


def test_stale_sources_are_in_a_box_before_anything_else() -> None:
    html = render_html(wiltshire_document(care_stale=True))
    box = html.index('<section class="stale-box" role="alert"')
    assert html.index("<main>") < box < html.index('id="changes"')
    assert "Stale data: 1 source out of date" in html
    assert "Care capacity (capacity:/capacity/v1/care-capacity): oldest figure 26 hours old" in html
    assert '4 <span class="stale-mark">stale</span>' in html
    fresh = render_html(wiltshire_document())
    assert "stale-box" not in fresh.split("<body>")[1]
    assert "All sources were current when this summary was built." in fresh


def test_each_chart_is_a_figure_with_its_text_alternative() -> None:
    doc = wiltshire_document()
    charts = summary_charts(doc)
    html = render_html(doc, charts)
    page = parse(html)
    assert len(page.figures) == 4
    for chart, figure in zip(charts.values(), page.figures, strict=True):
        assert figure["aria-label"] == f"{chart.title}: {chart.summary}"
        start = html.index(f'<figure class="chart" id="chart-{chart.key}">')
        block = html[start : html.index("</figure>", start)]
        assert chart.svg in block
        assert "<figcaption>" in block and "<details>" in block
    assert html.count("<svg") == 4
    # Each chart sits in its section.
    assert html.index('id="chart-occupancy"') > html.index('<section id="beds">')
    assert html.index('id="chart-capacity"') > html.index('<section id="care">')


def test_figures_carry_their_source_and_time_on_hover() -> None:
    html = render_html(wiltshire_document(care_stale=True), charts={})
    assert 'title="capacity:/capacity/v1/beds, as of 08:00">97.0 % (+4.0)</td>' in html
    assert 'title="capacity:/capacity/v1/care-capacity, as of Wed 2 Dec 06:00, stale"' in html


def test_sections_not_available_say_so() -> None:
    areas = [a.model_copy(update={"opel": None}) for a in wiltshire_areas()]
    doc = wiltshire_document(areas=areas, care=None, sitreps=None, outlook=None, trends=None)
    page = parse(render_html(doc))
    titles = {
        "opel": "OPEL",
        "care": "Care capacity against demand",
        "sitreps": "Sitrep returns",
        "outlook": "Outlook: the next 7 days",
        "trends": "The last 14 days",
    }
    for key, title in titles.items():
        assert " ".join(page.sections[key].split()) == f"{title} Not available."
    assert len(page.figures) == 2  # occupancy and pathways still drawn


def test_every_text_value_is_escaped() -> None:
    evil = '<script>alert("x")</script>'
    areas = wiltshire_areas()
    areas[1] = Area.model_validate({**areas[1].model_dump(), "short_name": evil, "name": evil})
    html = render_html(wiltshire_document(areas=areas))
    assert "<script" not in html
    assert "&lt;script&gt;alert(&#34;x&#34;)&lt;/script&gt;" in html


def test_the_footer_carries_the_build() -> None:
    html = render_html(wiltshire_document(version=2, built_by=BuildTrigger.on_demand), charts={})
    footer = html[html.index("<footer>") : html.index("</footer>")]
    assert "Version 2, built Thursday 3 December 2026 08:30 (Europe/London), on demand." in footer


def test_the_same_document_gives_the_same_page() -> None:
    assert render_html(wiltshire_document()) == render_html(wiltshire_document())
