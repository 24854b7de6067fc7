"""Contiguous ranges: a parameter's bands and the score ranges of the OPEL levels.

One convention everywhere: a range holds `lower <= value < upper`, and the last range
also holds its `upper` (so 100 % falls in the top band of a percentage). A value on a
boundary therefore belongs to the range above it: with bands `< 15 / 15-30`, 15 is in
the second band.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Annotated

from pydantic import AfterValidator, BaseModel, ConfigDict, Field

from wicc_escalation.opel.config_error import InvalidAt, PathPart

LEVELS = (1, 2, 3, 4)


def _known_level(level: int) -> int:
    if level not in LEVELS:
        raise InvalidAt((), f"unknown OPEL level {level}: levels are 1 to 4")
    return level


Level = Annotated[
    int, Field(strict=True, description="OPEL level, 1 to 4"), AfterValidator(_known_level)
]
Bound = Annotated[float, Field(allow_inf_nan=False)]
Bounds = tuple[float | None, float | None]


class Strict(BaseModel):
    """Configuration models: unknown keys are refused and nothing changes once loaded."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class LevelRange(Strict):
    """The scores that give `level`: `lower <= score < upper` (the top range also
    holds its `upper`)."""

    level: Level
    lower: Bound
    upper: Bound


def contains(bounds: Bounds, value: float, *, last: bool) -> bool:
    lower, upper = bounds
    if lower is not None and value < lower:
        return False
    return upper is None or value < upper or (last and value == upper)


def check_contiguous(prefix: Sequence[PathPart], ranges: Sequence[Bounds], what: str) -> None:
    """Each range is non-empty, only the ends may be open, and each starts exactly
    where the one before it ends: no gap, no overlap."""
    last = len(ranges) - 1
    for i, (lower, upper) in enumerate(ranges):
        at = (*prefix, i)
        if lower is None and i > 0:
            raise InvalidAt((*at, "lower"), f"only the first {what} may have no lower bound")
        if upper is None and i < last:
            raise InvalidAt((*at, "upper"), f"only the last {what} may have no upper bound")
        if lower is not None and upper is not None and lower >= upper:
            raise InvalidAt((*at, "upper"), f"upper {upper:g} must be above lower {lower:g}")
    for i in range(1, len(ranges)):
        end, start = ranges[i - 1][1], ranges[i][0]
        if end is None or start is None:
            continue  # open inner ends were refused above
        if start < end:
            raise InvalidAt(
                (*prefix, i, "lower"),
                f"overlaps the {what} before it: starts at {start:g}, below its upper {end:g}",
            )
        if start > end:
            raise InvalidAt(
                (*prefix, i, "lower"),
                f"gap: values from {end:g} up to {start:g} fall in no {what}",
            )


def check_levels(ranges: Sequence[LevelRange], lowest: float, highest: float) -> None:
    """OPEL 1 to 4 in order, contiguous, every score from `lowest` to `highest` mapped
    to exactly one level, and every level reachable by some score in that span."""
    for i, r in enumerate(ranges):
        expected = LEVELS[i] if i < len(LEVELS) else None
        if r.level != expected:
            raise InvalidAt(
                ("levels", i, "level"), "levels must list OPEL 1, 2, 3 and 4 once each, in order"
            )
    if len(ranges) != len(LEVELS):
        raise InvalidAt(("levels",), "levels must list OPEL 1, 2, 3 and 4 once each, in order")
    check_contiguous(("levels",), [(r.lower, r.upper) for r in ranges], "level range")
    if ranges[0].lower > lowest:
        raise InvalidAt(
            ("levels", 0, "lower"),
            f"scores from {lowest:g} up to {ranges[0].lower:g} can be reached but map to no level",
        )
    if ranges[-1].upper < highest:
        raise InvalidAt(
            ("levels", len(ranges) - 1, "upper"),
            f"scores above {ranges[-1].upper:g} up to {highest:g} can be reached"
            " but map to no level",
        )
    for i, r in enumerate(ranges):
        if r.lower > highest or (r.upper <= lowest and i < len(ranges) - 1):
            raise InvalidAt(
                ("levels", i),
                f"OPEL {r.level} can never be reached: scores run from {lowest:g} to {highest:g}",
            )


def level_for(ranges: Sequence[LevelRange], score: float) -> int:
    """The level whose range holds `score` (validated ranges cover every reachable score)."""
    last = len(ranges) - 1
    for i, r in enumerate(ranges):
        if contains((r.lower, r.upper), score, last=i == last):
            return r.level
    raise ValueError(f"score {score:g} is outside every level range")
