"""Choosing a summary's format from `Accept` (RFC 9110): quality first, then the most
specific range, then the order offered; nothing acceptable is None (a 406)."""

from __future__ import annotations

import pytest
from hypothesis import given
from hypothesis import strategies as st

from wicc_flow.summaries.negotiation import HTML, JSON, MARKDOWN, OFFERED, choose


@pytest.mark.parametrize(
    ("accept", "chosen"),
    [
        (None, JSON),
        ("", JSON),
        ("*/*", JSON),
        ("application/json", JSON),
        ("text/markdown", MARKDOWN),
        ("TEXT/HTML", HTML),
        ("text/*", MARKDOWN),
        ("text/*, text/html", HTML),  # the more specific range wins at equal quality
        ("text/html;q=0.4, text/markdown;q=0.6", MARKDOWN),
        ("text/html;level=1;q=0.9, application/json;q=0.8", HTML),
        ("*/*;q=0.1, text/html;q=0", JSON),  # explicitly refused, even under */*
        ("application/pdf", None),
        ("text/html;q=0", None),
        ("garbage", JSON),  # no media range at all: as if absent
        ("text/html;q=abc, application/json", JSON),  # an unreadable q refuses the range
    ],
)
def test_the_chosen_format(accept: str | None, chosen: str | None) -> None:
    assert choose(accept) == chosen


ranges = st.sampled_from(
    ["*/*", "text/*", "application/*", *OFFERED, "image/png", "application/pdf"]
)
qualities = st.sampled_from(["", ";q=0", ";q=0.3", ";q=0.7", ";q=1"])


@given(st.lists(st.tuples(ranges, qualities), min_size=1, max_size=6, unique_by=lambda p: p[0]))
def test_the_choice_is_offered_and_never_one_refused_outright(
    parts: list[tuple[str, str]],
) -> None:
    accept = ", ".join(media + q for media, q in parts)
    chosen = choose(accept)
    assert chosen is None or chosen in OFFERED
    exact = {media: q for media, q in parts if media in OFFERED}
    if chosen is not None and exact.get(chosen) == ";q=0":
        pytest.fail(f"{chosen} was refused by name in {accept!r}")
    if any(media in OFFERED and q != ";q=0" for media, q in parts):
        assert chosen is not None  # something named and not refused is offered
