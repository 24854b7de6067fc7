"""The summary as Markdown, for a chat channel or an e-mail.

Stale sources come first, then what changed, then one compact table per section
(the system and each organisation in columns). Every text value is escaped, so a
name cannot break a table or turn into a link.
"""

from __future__ import annotations

import re
from collections.abc import Iterable

from wicc_flow.summaries.document import SummaryDocument
from wicc_flow.summaries.formatting import plural
from wicc_flow.summaries.layout import (
    ALL_CURRENT,
    NO_CHANGES,
    Section,
    ages_line,
    build_line,
    sections,
    stale_lines,
    title,
)
from wicc_flow.summaries.tables import Cell, Table, numeric_columns

STALE_MARK = " (stale)"
# Characters that mean something inside a line of Markdown: tables, emphasis, links,
# HTML and code. Text never starts a line here (our own words or "- " come first),
# so the line-start markers (+, 1.) need no escape and figures stay plain: "+4.0".
_SPECIAL = re.compile(r"([\\`*_\[\]<>#|~])")


def escape(text: str) -> str:
    return _SPECIAL.sub(r"\\\1", text).replace("\n", " ")


def render_markdown(doc: SummaryDocument) -> str:
    parts = [f"# {escape(title(doc))}", _stale_block(doc)]
    if ages := ages_line(doc):
        parts.append(f"_{escape(ages)}_")
    parts.extend(f"**Note:** {escape(note)}" for note in doc.caveats)
    parts.append(_changes(doc))
    parts.extend(_section(s) for s in sections(doc))
    parts.append(f"---\n_{escape(build_line(doc))}_")
    return "\n\n".join(parts) + "\n"


def _stale_block(doc: SummaryDocument) -> str:
    lines = stale_lines(doc)
    if not lines:
        return escape(ALL_CURRENT)
    body = "\n".join(f"> - {escape(line)}" for line in lines)
    count = plural(len(lines), "source")
    head = f"**STALE DATA: {count} out of date. Check before relying on them.**"
    return f"> {head}\n>\n{body}"


def _changes(doc: SummaryDocument) -> str:
    items = [f"- {escape(c.text)}" for c in doc.changes] or [escape(NO_CHANGES)]
    return "## What changed\n\n" + "\n".join(items)


def _section(section: Section) -> str:
    head = f"## {escape(section.title)}"
    if not section.available:
        return f"{head}\n\nNot available."
    blocks = [head, *(escape(p) for p in section.paragraphs)]
    blocks.extend(table(t) for t in section.tables)
    return "\n\n".join(blocks)


def table(t: Table) -> str:
    lines = [
        f"**{escape(t.caption)}**",
        "",
        _row(escape(h) for h in t.header),
        _row("---:" if numeric else "---" for numeric in numeric_columns(t)),
    ]
    lines.extend(_row(_cell(c) for c in row) for row in t.rows)
    if t.notes:
        lines += ["", f"_{escape(' '.join(t.notes))}_"]
    return "\n".join(lines)


def _row(cells: Iterable[str]) -> str:
    return "| " + " | ".join(cells) + " |"


def _cell(cell: Cell) -> str:
    text = escape(cell.text) + (STALE_MARK if cell.stale else "")
    return f"· {text}" if cell.indent else text
