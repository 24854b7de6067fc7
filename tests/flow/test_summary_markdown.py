"""The Markdown summary: stale sources first, then what changed, then every figure
in compact tables; a section not available says so."""

from __future__ import annotations

import re

from tests.builders.summaries import wiltshire_areas, wiltshire_document
from tests.flow.summary_checks import cell_tokens, expected_tokens, missing
from wicc_flow.summaries.document import Area, BuildTrigger
from wicc_flow.summaries.render_markdown import escape, render_markdown


def table_cells(markdown: str) -> list[str]:
    cells = []
    for line in markdown.splitlines():
        if line.startswith("|") and not re.fullmatch(r"\|( -+:? \|)+", line):
            cells.extend(line.strip("|").split(" | "))
    return cells


def test_every_figure_of_the_document_is_shown() -> None:
    doc = wiltshire_document(care_stale=True)
    shown = cell_tokens(table_cells(render_markdown(doc)))
    assert missing(expected_tokens(doc), shown) == {}


def test_the_check_catches_a_dropped_table() -> None:
    doc = wiltshire_document()
    markdown = render_markdown(doc)
    without_beds = re.sub(r"## Beds.*?(?=\n## )", "", markdown, flags=re.S)
    assert missing(expected_tokens(doc), cell_tokens(table_cells(without_beds))) != {}


def test_stale_sources_come_first_and_are_named() -> None:
    markdown = render_markdown(wiltshire_document(care_stale=True))
    stale = markdown.index("STALE DATA: 1 source out of date")
    assert stale < markdown.index("## What changed") < markdown.index("## OPEL")
    assert markdown.index("# Daily system call") < stale
    assert (
        "> - Care capacity (capacity:/capacity/v1/care-capacity): oldest figure 26 hours old "
        "(from Wed 2 Dec 06:00; stale after 24 hours)." in markdown
    )
    assert "| North | P1 | 4 (stale) | 31 | -27 (stale) |" in markdown


def test_when_all_sources_are_current_it_says_so_at_the_top() -> None:
    markdown = render_markdown(wiltshire_document())
    assert "STALE" not in markdown.split("## Sources")[0]
    current = markdown.index("All sources were current when this summary was built.")
    assert current < markdown.index("## What changed")


def test_what_changed_lists_the_documents_sentences_in_order() -> None:
    doc = wiltshire_document()
    section = render_markdown(doc).split("## What changed\n\n")[1].split("\n\n")[0]
    assert section.splitlines() == [f"- {escape(c.text)}" for c in doc.changes]
    assert section.splitlines()[0] == "- System: OPEL 3, up from OPEL 2 (score 24, +4)"


def test_no_changes_is_said() -> None:
    markdown = render_markdown(wiltshire_document(changes=[]))
    assert "## What changed\n\nNo movement above the thresholds since yesterday." in markdown


def test_sections_not_available_say_so_never_zeros() -> None:
    areas = [a.model_copy(update={"opel": None}) for a in wiltshire_areas()]
    doc = wiltshire_document(areas=areas, care=None, sitreps=None, outlook=None, trends=None)
    markdown = render_markdown(doc)
    for title in (
        "OPEL",
        "Care capacity against demand",
        "Sitrep returns",
        "Outlook: the next 7 days",
        "The last 14 days",
    ):
        assert f"## {title}\n\nNot available.\n" in markdown
    assert "OPEL 0" not in markdown and "Capacity now" not in markdown


def test_organisations_without_a_section_are_named_under_its_table() -> None:
    markdown = render_markdown(wiltshire_document())
    beds = markdown.split("## Beds")[1].split("## ")[0]
    assert "| | System | Salisbury | Great Western | Bath |" in beds.replace("|  |", "| |")
    assert "Not available for: AWP, Wiltshire Health and Care." in beds


def test_names_cannot_break_a_table_or_make_a_link() -> None:
    areas = wiltshire_areas()
    areas[1] = Area.model_validate({**areas[1].model_dump(), "short_name": "A|B *x* [l](u)"})
    markdown = render_markdown(wiltshire_document(areas=areas))
    assert r"A\|B \*x\* \[l\](u)" in markdown
    # Every line of a table has as many cell borders as its header: no cell split.
    for block in re.findall(r"(?:^\|.*\n)+", markdown, flags=re.M):
        borders = {len(re.findall(r"(?<!\\)\|", line)) for line in block.splitlines()}
        assert len(borders) == 1, block


def test_the_footer_carries_the_build() -> None:
    markdown = render_markdown(wiltshire_document(version=3, built_by=BuildTrigger.on_demand))
    assert markdown.rstrip().endswith(
        "_Version 3, built Thursday 3 December 2026 08:30 (Europe/London), on demand. "
        "Document schema 1._"
    )


def test_the_same_document_gives_the_same_text() -> None:
    assert render_markdown(wiltshire_document()) == render_markdown(wiltshire_document())
