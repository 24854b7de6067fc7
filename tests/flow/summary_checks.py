"""What a rendered summary must show: every figure of the document, as text.

Both renderers are checked the same way: the cells of their tables are split into
tokens ("97.0 % (+4.0)" gives "97.0 %" and "+4.0"), and every figure's text must
be among them, as many times as the document holds it.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable

from wicc_flow.summaries.document import SummaryDocument
from wicc_flow.summaries.figures import iter_figures
from wicc_flow.summaries.formatting import number, signed, value_text

# Shown nowhere by design: yesterday's figures (the change is shown instead) and the
# organisations' pathway-by-band tables (the page draws the system's only).
NOT_SHOWN = re.compile(r"\.yesterday$|^organisations\[\d+\]\.patients\.by_pathway_band")


def expected_tokens(doc: SummaryDocument) -> Counter[str]:
    tokens: Counter[str] = Counter()
    for path, figure in iter_figures(doc):
        if NOT_SHOWN.search(path):
            continue
        if path.endswith(".change"):
            tokens[signed(figure.value)] += 1
        elif path.endswith(".gap"):
            tokens[number(figure.value) if figure.value <= 0 else f"+{number(figure.value)}"] += 1
        else:
            tokens[value_text(figure)] += 1
    return tokens


def cell_tokens(cells: Iterable[str]) -> Counter[str]:
    tokens: Counter[str] = Counter()
    for cell in cells:
        text = cell.strip().removesuffix("(stale)").removesuffix("stale").strip()
        text = text.removeprefix("·").strip()
        bracketed = re.fullmatch(r"(.*?) \((.*)\)", text)
        tokens.update(bracketed.groups() if bracketed else [text])
    return tokens


def missing(expected: Counter[str], shown: Counter[str]) -> Counter[str]:
    """The figure texts shown fewer times than the document holds them."""
    return expected - shown
