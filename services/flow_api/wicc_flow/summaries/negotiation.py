"""Choosing a summary's format from the request's `Accept` header (RFC 9110 12.5.1).

The most preferred offered type wins: by quality, then by how specific the matching
range is (`text/html` over `text/*` over `*/*`), then in the order offered (JSON
first, so `*/*` and no header at all give JSON). None when nothing offered is
acceptable: the caller answers 406.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

JSON = "application/json"
MARKDOWN = "text/markdown"
HTML = "text/html"
OFFERED = (JSON, MARKDOWN, HTML)


@dataclass(frozen=True)
class _Range:
    kind: str
    subtype: str
    quality: float

    def matches(self, media_type: str) -> int:
        """How specifically this range matches `media_type`: 2 exact, 1 `type/*`,
        0 `*/*`, -1 not at all."""
        kind, _, subtype = media_type.partition("/")
        if self.kind == "*" and self.subtype == "*":
            return 0
        if self.kind != kind:
            return -1
        if self.subtype == "*":
            return 1
        return 2 if self.subtype == subtype else -1


def parse(accept: str) -> list[_Range]:
    ranges = []
    for part in accept.split(","):
        media, *params = (p.strip() for p in part.split(";"))
        kind, slash, subtype = media.lower().partition("/")
        if not slash or not kind or not subtype:
            continue  # not a media range: ignored, as if absent
        quality = 1.0
        for param in params:
            name, _, value = param.partition("=")
            if name.strip().lower() == "q":
                try:
                    quality = min(max(float(value), 0.0), 1.0)
                except ValueError:
                    quality = 0.0
        ranges.append(_Range(kind, subtype, quality))
    return ranges


def choose(accept: str | None, offered: Sequence[str] = OFFERED) -> str | None:
    if accept is None or not accept.strip():
        return offered[0]
    ranges = parse(accept)
    if not ranges:
        return offered[0]
    best: tuple[float, int, int] | None = None
    chosen = None
    for order, media_type in enumerate(offered):
        matching = [(m, r.quality) for r in ranges if (m := r.matches(media_type)) >= 0]
        if not matching:
            continue
        # The most specific matching range sets the quality (text/html;q=0 beats */*);
        # a range given twice counts with its higher quality.
        specificity, quality = max(matching)
        if quality <= 0:
            continue
        rank = (quality, specificity, -order)
        if best is None or rank > best:
            best, chosen = rank, media_type
    return chosen
