"""An OPEL parameter set: the parameters one pillar is scored on, their bands and
points, and the totals that give each level.

A set is versioned configuration (a YAML file under `reference/opel/`), never
constants in code: the national thresholds could not be confirmed, so every system
ships, and may replace, its own. A loaded set is valid by construction: the validators
below refuse anything the scoring could misread.
"""

from __future__ import annotations

from enum import StrEnum
from functools import cached_property
from typing import Annotated

from pydantic import Field, model_validator

from wicc_escalation.opel.config_error import InvalidAt
from wicc_escalation.opel.ranges import (
    Bound,
    LevelRange,
    Strict,
    check_contiguous,
    check_levels,
)

CODE = r"^[a-z0-9][a-z0-9_]*$"
SET_ID = r"^[a-z0-9][a-z0-9.-]*$"
Points = Annotated[int, Field(strict=True, ge=0, le=1000)]


class Direction(StrEnum):
    higher_is_worse = "higher_is_worse"
    lower_is_worse = "lower_is_worse"


class Pillar(StrEnum):
    """The pillars of the 2024-26 integrated framework; each has its own parameter set."""

    acute = "acute"
    community = "community"
    mental_health = "mental_health"
    nhs_111 = "nhs_111"


class ConfigStatus(StrEnum):
    """How far a file's thresholds can be trusted; shown wherever its scores are."""

    local_unconfirmed = "local_unconfirmed"  # local configuration, to be confirmed
    example = "example"  # a format example, not for live use
    confirmed = "confirmed"  # checked against the national framework by the system


class Domain(Strict):
    """Every value the parameter can take; its bands must cover exactly this."""

    min: Bound | None = 0.0
    max: Bound | None = None

    @model_validator(mode="after")
    def _ordered(self) -> Domain:
        if self.min is not None and self.max is not None and self.min >= self.max:
            raise InvalidAt(("max",), f"max {self.max:g} must be above min {self.min:g}")
        return self


class Band(Strict):
    lower: Bound | None
    upper: Bound | None
    points: Points


class Parameter(Strict):
    key: str = Field(pattern=CODE, max_length=60)
    name: str = Field(min_length=1)
    unit: str = Field(pattern=CODE, max_length=30)
    direction: Direction
    domain: Domain = Domain()
    stale_after_hours: float = Field(gt=0, le=24 * 14, allow_inf_nan=False)
    source: str = Field(default="", description="Where the input comes from (for people)")
    bands: list[Band] = Field(min_length=2)

    @model_validator(mode="after")
    def _bands_fit(self) -> Parameter:
        check_contiguous(("bands",), [(b.lower, b.upper) for b in self.bands], "band")
        _check_covers_domain(self)
        _check_points_rise_towards_worse(self)
        return self

    def band_number(self, index: int) -> int:
        """The band at `index` (in ascending value) counted from the best: 1 is the best."""
        if self.direction is Direction.higher_is_worse:
            return index + 1
        return len(self.bands) - index

    @property
    def min_points(self) -> int:
        return min(b.points for b in self.bands)

    @property
    def max_points(self) -> int:
        return max(b.points for b in self.bands)


def _check_covers_domain(p: Parameter) -> None:
    first, last = p.bands[0], p.bands[-1]
    if first.lower != p.domain.min:
        raise InvalidAt(
            ("bands", 0, "lower"),
            f"the first band must start at the domain's min ({_show(p.domain.min)}),"
            f" not {_show(first.lower)}",
        )
    if last.upper != p.domain.max:
        raise InvalidAt(
            ("bands", len(p.bands) - 1, "upper"),
            f"the last band must end at the domain's max ({_show(p.domain.max)}),"
            f" not {_show(last.upper)}",
        )


def _check_points_rise_towards_worse(p: Parameter) -> None:
    # Bands are listed in ascending value; a worse value must never earn fewer points,
    # or a trust under more pressure could score lower.
    for i in range(1, len(p.bands)):
        before, here = p.bands[i - 1].points, p.bands[i].points
        worse_here = p.direction is Direction.higher_is_worse
        if (worse_here and here < before) or (not worse_here and here > before):
            raise InvalidAt(
                ("bands", i, "points"),
                f"points must not fall as values get worse ({p.direction.value}):"
                f" {before} then {here}",
            )


def _show(bound: float | None) -> str:
    return "unbounded (null)" if bound is None else f"{bound:g}"


class ParameterSet(Strict):
    id: str = Field(pattern=SET_ID, max_length=80)
    name: str = Field(min_length=1)
    framework: str = Field(min_length=1)
    pillar: Pillar
    status: ConfigStatus
    notice: str = Field(min_length=1, description="Shown with every score made from this set")
    parameters: list[Parameter] = Field(min_length=1)
    levels: list[LevelRange]

    @model_validator(mode="after")
    def _consistent(self) -> ParameterSet:
        seen: set[str] = set()
        for i, p in enumerate(self.parameters):
            if p.key in seen:
                raise InvalidAt(("parameters", i, "key"), f"duplicate parameter key {p.key!r}")
            seen.add(p.key)
        if self.max_total == self.min_total:
            raise InvalidAt(("parameters",), "every band of every parameter earns the same points")
        check_levels(self.levels, self.min_total, self.max_total)
        return self

    @cached_property
    def by_key(self) -> dict[str, Parameter]:
        return {p.key: p for p in self.parameters}

    @property
    def min_total(self) -> int:
        """The total when every parameter is in its best band."""
        return sum(p.min_points for p in self.parameters)

    @property
    def max_total(self) -> int:
        """The total when every parameter is in its worst band."""
        return sum(p.max_points for p in self.parameters)
