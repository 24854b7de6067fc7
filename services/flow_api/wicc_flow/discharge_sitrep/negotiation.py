"""Choosing a response's media type from `Accept` (RFC 9110, 12.5.1).

Each media range may carry a quality (`q`); a type is rated by the most specific range
that matches it (`text/csv` over `text/*` over `*/*`), and `q=0` refuses it. The
offered type with the highest rating wins, the first offered on a tie; a request
without `Accept` gets the first. None means nothing offered is acceptable (406).
"""

from __future__ import annotations

from collections.abc import Sequence

from wicc_shared.errors import WiccError


class NotAcceptable(WiccError):
    status, slug, title = 406, "not-acceptable", "No acceptable representation"


def choose(accept: str | None, offered: Sequence[str]) -> str | None:
    if accept is None or not accept.strip():
        return offered[0]
    ranges = [_parse(part) for part in accept.split(",") if part.strip()]
    rated = [(_quality(media, ranges), -i, media) for i, media in enumerate(offered)]
    quality, _, media = max(rated)
    return media if quality > 0 else None


def _parse(part: str) -> tuple[str, str, float]:
    media, *params = (p.strip() for p in part.split(";"))
    kind, _, subtype = media.lower().partition("/")
    q = 1.0
    for param in params:
        name, _, value = param.partition("=")
        if name.strip().lower() == "q":
            try:
                q = min(max(float(value), 0.0), 1.0)
            except ValueError:
                q = 0.0
    return kind, subtype or "*", q


def _quality(media: str, ranges: Sequence[tuple[str, str, float]]) -> float:
    kind, _, subtype = media.partition("/")
    best: tuple[int, float] = (-1, 0.0)
    for r_kind, r_subtype, q in ranges:
        if (r_kind, r_subtype) == (kind, subtype):
            specificity = 2
        elif r_kind == kind and r_subtype == "*":
            specificity = 1
        elif (r_kind, r_subtype) == ("*", "*"):
            specificity = 0
        else:
            continue
        best = max(best, (specificity, q), key=lambda b: b[0])
    return best[1]
