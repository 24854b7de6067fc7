"""The summary's charts: valid SVG, the same bytes for the same input, readable
without colour, each with a text alternative, and no display needed."""

from __future__ import annotations

import hashlib
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

from tests.builders.summaries import wiltshire_areas, wiltshire_document
from wicc_flow.summaries.charts import (
    capacity_chart,
    occupancy_chart,
    pathway_band_chart,
    summary_charts,
    trend_chart,
)
from wicc_flow.summaries.document import Area

SVG = "{http://www.w3.org/2000/svg}"


def parse(svg: str) -> ET.Element:
    return ET.fromstring(svg)  # noqa: S314 (our own output, not untrusted input)


def test_the_demo_day_has_four_charts_each_a_valid_svg() -> None:
    charts = summary_charts(wiltshire_document())
    assert list(charts) == ["occupancy", "pathway_band", "capacity", "trends"]
    for chart in charts.values():
        root = parse(chart.svg)
        assert root.tag == f"{SVG}svg"
        assert root.get("viewBox")
        assert chart.svg.startswith("<svg")  # inline: no XML declaration or doctype


def test_the_same_input_gives_the_same_bytes() -> None:
    doc = wiltshire_document()
    first = summary_charts(doc)
    # Drawing something else in between must not shift ids or counters.
    trend_chart(doc.trends) if doc.trends else None
    again = summary_charts(wiltshire_document())
    assert {k: c.svg for k, c in first.items()} == {k: c.svg for k, c in again.items()}


def test_a_different_figure_gives_a_different_chart() -> None:
    areas = wiltshire_areas()
    base = occupancy_chart(areas[1:])
    changed = occupancy_chart([areas[1].model_copy(update={"beds": areas[2].beds}), *areas[2:]])
    assert base is not None and changed is not None
    assert base.svg != changed.svg


def test_no_date_creator_script_or_external_reference() -> None:
    for chart in summary_charts(wiltshire_document()).values():
        assert "<metadata" not in chart.svg and "<dc:date>" not in chart.svg
        assert "Matplotlib v" not in chart.svg
        assert "<script" not in chart.svg
        assert "<image" not in chart.svg  # vectors only, nothing raster or linked
        hrefs = [
            el.get("{http://www.w3.org/1999/xlink}href") or el.get("href")
            for el in parse(chart.svg).iter()
        ]
        assert all(h.startswith("#") for h in hrefs if h), hrefs


def test_values_are_written_on_the_charts_and_series_differ_without_colour() -> None:
    charts = summary_charts(wiltshire_document())
    occupancy = charts["occupancy"].svg
    # Text is drawn as paths; matplotlib keeps each string as a comment beside it.
    for label in (
        "<!-- 97.0 % -->",
        "<!-- 98.4 % -->",
        "<!-- 92.0 % -->",
        "<!-- Great Western -->",
    ):
        assert label in occupancy
    # Black and white: two series are white and dark grey bars with black edges; the
    # seven delay bands need hatching as well (three hatched, four plain greys).
    for key in ("occupancy", "capacity"):
        assert "fill: #ffffff; stroke: #000000" in charts[key].svg
        assert "fill: #595959; stroke: #000000" in charts[key].svg
    assert charts["pathway_band"].svg.count("<pattern") == 3
    for total in ("<!-- 51 -->", "<!-- 87 -->", "<!-- 30 -->", "<!-- 21 -->"):
        assert total in charts["pathway_band"].svg


def test_each_chart_has_a_text_alternative_with_its_figures() -> None:
    charts = summary_charts(wiltshire_document())
    occupancy = charts["occupancy"]
    assert occupancy.summary.startswith("Adult G&A occupancy")
    assert "Great Western 97.0 %" in occupancy.summary
    assert "3 of 3 above 92.0 %" in occupancy.summary
    assert [[c.text for c in row] for row in occupancy.table.rows] == [
        ["Salisbury", "96.3 %", "94.1 %"],
        ["Great Western", "98.4 %", "97.0 %"],
        ["Bath", "94.8 %", "92.4 %"],
    ]
    assert "P1 87" in charts["pathway_band"].summary
    assert "18 have waited 21 days or more" in charts["pathway_band"].summary
    assert "a shortfall in 9 of 9" in charts["capacity"].summary
    assert "North P1: 4 places for 31 waiting" in charts["capacity"].summary
    assert "Great Western from 93.1 % to 97.0 %" in charts["trends"].summary
    assert len(charts["trends"].table.rows) == 14


def test_stale_figures_are_flagged_on_the_chart_and_in_its_alternative() -> None:
    chart = summary_charts(wiltshire_document(care_stale=True))["capacity"]
    assert "Some of these figures are STALE." in chart.summary
    assert "<!-- Capacity (places) (STALE) -->" in chart.svg
    fresh = summary_charts(wiltshire_document())["capacity"]
    assert "STALE" not in fresh.summary and "STALE" not in fresh.svg


def test_sections_not_available_have_no_chart() -> None:
    doc = wiltshire_document(care=None, trends=None)
    assert list(summary_charts(doc)) == ["occupancy", "pathway_band"]
    assert occupancy_chart([a.model_copy(update={"beds": None}) for a in wiltshire_areas()]) is None
    patients = wiltshire_areas()[0].patients
    assert patients is not None
    assert pathway_band_chart(patients.model_copy(update={"by_pathway_band": None})) is None


def test_a_hostile_name_stays_text() -> None:
    areas = wiltshire_areas()
    evil = "<script>alert(1)</script> -->"
    areas[1] = Area.model_validate({**areas[1].model_dump(), "short_name": evil})
    chart = occupancy_chart(areas[1:])
    assert chart is not None
    assert "<script" not in chart.svg
    parse(chart.svg)  # the comment escaping kept the document well-formed
    assert evil in chart.summary  # the alternative is plain text; the renderers escape it


def test_capacity_chart_leaves_out_pathways_without_capacity() -> None:
    doc = wiltshire_document()
    assert doc.care is not None
    rows = [r.model_copy(update={"capacity": None, "gap": None}) for r in doc.care.rows[:3]]
    care = doc.care.model_copy(update={"rows": [*rows, *doc.care.rows[3:]]})
    chart = capacity_chart(care)
    assert chart is not None
    assert "<!-- North -->" not in chart.svg  # North's three rows had no capacity
    assert "of 6" in chart.summary


def _digest(svgs: list[str]) -> str:
    return hashlib.sha256("".join(svgs).encode()).hexdigest()


def test_another_process_draws_the_same_bytes_without_a_display_or_pyplot() -> None:
    # A fresh process has another hash seed and its own matplotlib state: the charts
    # must still come out byte for byte the same, and no GUI toolkit may be loaded.
    code = (
        "import hashlib, sys\n"
        "from tests.builders.summaries import wiltshire_document\n"
        "from wicc_flow.summaries.charts import summary_charts\n"
        "svgs = [c.svg for c in summary_charts(wiltshire_document()).values()]\n"
        "gui = [m for m in sys.modules if m.split('.')[0] in "
        "('tkinter', 'PyQt5', 'PyQt6', 'PySide6', 'gi', 'wx')]\n"
        "print(hashlib.sha256(''.join(svgs).encode()).hexdigest(), "
        "'matplotlib.pyplot' in sys.modules, gui)\n"
    )
    hidden = ("DISPLAY", "WAYLAND_DISPLAY", "MPLBACKEND", "PYTHONHASHSEED")
    env = {k: v for k, v in os.environ.items() if k not in hidden}
    done = subprocess.run(
        [sys.executable, "-c", code],
        env=env,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    here = _digest([c.svg for c in summary_charts(wiltshire_document()).values()])
    assert done.stdout.split() == [here, "False", "[]"]
