"""The summary's unit of truth: a `Figure` is a value with its unit, its source and
the moment it describes.

Nothing in the summary is a bare number. Whoever reads "97 %" on the call can ask
where it came from and how old it is, and a figure that has gone stale says so
itself instead of passing for current. Figures computed from others (a change, a
gap) are *derived*: their source names their inputs and they inherit staleness.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from enum import StrEnum
from typing import Annotated, Self

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, model_validator

DERIVED_PREFIX = "derived("


class Unit(StrEnum):
    percent = "percent"
    # A change of a percentage: "+4 points", never "+4 %".
    points = "points"
    beds = "beds"
    patients = "patients"
    bed_days = "bed_days"
    opel_level = "opel_level"
    score = "score"
    actions = "actions"
    # Capacity counted in patients it could take (starts, beds, slots): see CapacityDemand.
    places = "places"


Value = int | Annotated[float, Field(allow_inf_nan=False)]


class Model(BaseModel):
    """Base of every summary model: unknown fields refused, instances immutable."""

    model_config = ConfigDict(extra="forbid", frozen=True)


class Figure(Model):
    value: Value
    unit: Unit
    source: str = Field(
        min_length=1,
        max_length=300,
        description="Where it came from: an endpoint (`capacity:/capacity/v1/beds`), "
        "an event type, or `derived(...)` naming the inputs",
    )
    as_of: AwareDatetime = Field(description="The moment the figure describes")
    stale: bool = Field(default=False, description="Older than its source's freshness limit")

    @property
    def derived(self) -> bool:
        return self.source.startswith(DERIVED_PREFIX)


def derive(value: float, unit: Unit, inputs: Sequence[Figure]) -> Figure:
    """A figure computed from `inputs`: only as current as the oldest of them."""
    if not inputs:
        raise ValueError("a derived figure needs at least one input")
    return Figure(
        value=_tidy(value),
        unit=unit,
        source=derived_source(inputs),
        as_of=min(f.as_of for f in inputs),
        stale=any(f.stale for f in inputs),
    )


def derived_source(inputs: Sequence[Figure]) -> str:
    # Input order, each source once: the same inputs always give the same text.
    names = list(dict.fromkeys(f.source for f in inputs))
    return DERIVED_PREFIX + ", ".join(names) + ")"


def change_unit(unit: Unit) -> Unit:
    return Unit.points if unit == Unit.percent else unit


def difference(today: Figure, yesterday: Figure) -> Figure:
    """Today minus yesterday. It describes today, so it takes today's `as_of`."""
    if today.unit != yesterday.unit:
        raise ValueError(f"cannot compare {today.unit} with {yesterday.unit}")
    change = derive(today.value - yesterday.value, change_unit(today.unit), [today, yesterday])
    return change.model_copy(update={"as_of": today.as_of})


def _tidy(value: float) -> int | float:
    # Integer arithmetic stays integer; float noise (0.1 + 0.2) is cut at 6 places.
    return value if isinstance(value, int) else round(value, 6)


class Tracked(Model):
    """A figure today, beside yesterday's and the 7-day mean; `change` = today - yesterday.

    Build it with `tracked()`, which computes the change; a stored document whose
    change disagrees with its two figures is refused.
    """

    today: Figure
    yesterday: Figure | None = None
    change: Figure | None = None
    mean_7d: Figure | None = Field(default=None, description="Mean of the 7 days to yesterday")

    @model_validator(mode="after")
    def _change_is_the_difference(self) -> Self:
        if (self.yesterday is None) != (self.change is None):
            raise ValueError("a change needs yesterday's figure, and yesterday's figure a change")
        if self.yesterday is not None and self.change is not None:
            expected = difference(self.today, self.yesterday)
            if abs(expected.value - self.change.value) > 1e-6:
                raise ValueError(f"change {self.change.value} is not today - yesterday")
        return self


def tracked(
    today: Figure, yesterday: Figure | None = None, mean_7d: Figure | None = None
) -> Tracked:
    change = difference(today, yesterday) if yesterday is not None else None
    return Tracked(today=today, yesterday=yesterday, change=change, mean_7d=mean_7d)


def iter_figures(node: object, path: str = "") -> Iterator[tuple[str, Figure]]:
    """Every figure inside a model, with its path (`organisations[1].beds.occupancy...`)."""
    if isinstance(node, Figure):
        yield path, node
    elif isinstance(node, BaseModel):
        for name in type(node).model_fields:
            yield from iter_figures(getattr(node, name), f"{path}.{name}" if path else name)
    elif isinstance(node, list | tuple):
        for i, item in enumerate(node):
            yield from iter_figures(item, f"{path}[{i}]")
    elif isinstance(node, dict):
        for key, item in node.items():
            yield from iter_figures(item, f"{path}[{key}]")
