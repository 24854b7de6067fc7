"""A summary built before every feed exists: care capacity without patients waiting,
and caveats for the reader (a short history). Unknown is shown as unknown, never as 0."""

from __future__ import annotations

from datetime import timedelta

import pytest
from pydantic import ValidationError

from tests.builders.summaries import (
    AS_OF,
    BUILT_AT,
    CARE,
    care_section,
    figure,
    wiltshire_document,
)
from wicc_flow.summaries.charts import capacity_chart
from wicc_flow.summaries.codes import Pathway
from wicc_flow.summaries.document import (
    CapacityDemand,
    CareCapacitySection,
    capacity_demand,
    source_freshness,
)
from wicc_flow.summaries.figures import Unit
from wicc_flow.summaries.layout import ages_line
from wicc_flow.summaries.render_html import render_html
from wicc_flow.summaries.render_markdown import render_markdown
from wicc_flow.summaries.tables import care_table


def _without_demand(section: CareCapacitySection) -> CareCapacitySection:
    rows = [
        capacity_demand(r.locality, r.locality_name, r.pathway, r.basis, r.capacity, None)
        for r in section.rows
    ]
    return CareCapacitySection(rows=rows)


def test_capacity_without_demand_has_no_gap() -> None:
    row = capacity_demand("north", "North", Pathway.p1, "starts", figure(4, Unit.places), None)
    assert (row.demand, row.gap) == (None, None)


def test_a_gap_without_a_demand_is_refused() -> None:
    capacity = figure(4, Unit.places, source=CARE)
    with pytest.raises(ValidationError, match="a capacity and a demand"):
        CapacityDemand(
            locality="north",
            locality_name="North",
            pathway=Pathway.p1,
            basis="starts",
            capacity=capacity,
            demand=None,
            gap=capacity,
        )


def test_the_care_table_says_waiting_is_not_available() -> None:
    table = care_table(_without_demand(care_section()))
    waiting = {row[3].text for row in table.rows}
    gaps = {row[4].text for row in table.rows}
    assert waiting == gaps == {"n/a"}


def test_the_capacity_chart_draws_capacity_alone_and_says_so() -> None:
    chart = capacity_chart(_without_demand(care_section()))
    assert chart is not None
    assert "patients waiting are not available" in chart.summary
    assert "North P1 4" in chart.summary
    with_demand = capacity_chart(care_section())
    assert with_demand is not None and with_demand.svg != chart.svg


def test_caveats_are_shown_near_the_top_in_both_formats() -> None:
    note = "History is short: summaries exist for 2 of the 7 days before today."
    doc = wiltshire_document(caveats=[note])
    markdown = render_markdown(doc)
    assert f"**Note:** {note}" in markdown
    assert markdown.index("**Note:**") < markdown.index("## What changed")
    html = render_html(doc, charts={})
    assert f'<p class="reader-note"><strong>Note:</strong> {note}</p>' in html
    assert html.index("reader-note") < html.index('id="changes"')


def test_a_document_without_caveats_shows_none() -> None:
    assert "**Note:**" not in render_markdown(wiltshire_document())


def test_every_kind_of_source_has_its_age_at_the_top() -> None:
    doc = wiltshire_document(care_stale=True)
    line = (
        "Age of the figures: Bed state 30 minutes; OPEL scores and declarations 15 minutes; "
        "Patients ready to leave 5 minutes; Care capacity 26 hours; Sitrep returns 0 minutes."
    )
    markdown = render_markdown(doc)
    assert markdown.index(f"_{line}_") < markdown.index("## What changed")
    html = render_html(doc, charts={})
    assert html.index(f'<p class="ages">{line}</p>') < html.index('id="changes"')


def test_ages_run_from_the_newest_to_the_oldest_source_of_a_kind() -> None:
    beds = "capacity:/capacity/v1/beds"
    fresh = [
        source_freshness(
            f"{beds}?org={org}", f"Bed figures, {org}", as_of, timedelta(hours=24), BUILT_AT
        )
        for org, as_of in (("A", AS_OF), ("B", AS_OF - timedelta(hours=27)), ("C", None))
    ]
    doc = wiltshire_document(freshness=fresh, care=None)
    assert ages_line(doc) == (
        "Age of the figures: Bed figures 30 minutes to 28 hours (1 source never received)."
    )
