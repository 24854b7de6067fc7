"""An organisation's OPEL score from its inputs: each parameter's band and points, the
total, and the level it gives, with every figure's source shown.

A missing, stale or invalid input is left out and named, and the score is *partial*.
It then counts as its best band (0 points in the shipped sets), so the score is a floor
and the level is the lowest the organisation can be at; `level_range` runs up to the
level the left-out parameters could still produce at their worst. A partial level is
therefore never read as firm: "OPEL 2, could be 2-3".
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum

from wicc_escalation.opel.parameter_set import (
    Band,
    ConfigStatus,
    Direction,
    Parameter,
    ParameterSet,
    Pillar,
)
from wicc_escalation.opel.ranges import contains, level_for

WHAT_IF_SOURCE = "what_if"


class InputStatus(StrEnum):
    ok = "ok"
    missing = "missing"  # no value received
    stale = "stale"  # older than the parameter's stale_after_hours
    invalid = "invalid"  # outside the parameter's domain, or not a number


@dataclass(frozen=True, slots=True)
class InputValue:
    """One input figure as received: its value, the moment it describes (`as_of`,
    timezone-aware) and the event that brought it."""

    value: float
    as_of: datetime
    source_event_id: str | None
    source_type: str  # e.g. "sitrep.submitted", "beds.updated", "what_if"


@dataclass(frozen=True, slots=True)
class ParameterScore:
    key: str
    name: str
    unit: str
    direction: Direction
    status: InputStatus
    value: float | None
    band: int | None  # 1 is the best band; None unless status is ok
    band_lower: float | None
    band_upper: float | None
    points: int | None  # None unless status is ok
    min_points: int
    max_points: int
    as_of: datetime | None
    stale_after: timedelta
    source_event_id: str | None
    source_type: str | None


@dataclass(frozen=True, slots=True)
class TrustScore:
    """One organisation's score on one parameter set (any pillar, not only trusts)."""

    framework: str  # the parameter set's id, e.g. opel-2024-26-acute-local-v1
    pillar: Pillar
    config_status: ConfigStatus
    computed_at: datetime
    level: int | None  # None when no input is usable: no data is not OPEL 1
    level_range: tuple[int, int]  # the lowest and highest level still possible
    score: int  # the floor: left-out parameters at their best band's points
    score_range: tuple[int, int]
    min_score: int  # every parameter in its best band
    max_score: int  # every parameter in its worst band
    normalised: float  # score on 0-100 between min_score and max_score, 1 decimal
    normalised_range: tuple[float, float]  # score_range on the same scale
    partial: bool
    parameters: tuple[ParameterScore, ...]

    @property
    def firm(self) -> bool:
        """The level cannot change whatever the left-out parameters turn out to be."""
        return self.level is not None and self.level_range[0] == self.level_range[1]

    def keys_with(self, status: InputStatus) -> list[str]:
        return [p.key for p in self.parameters if p.status is status]


class UnknownParameter(ValueError):
    def __init__(self, key: str, framework: str) -> None:
        super().__init__(f"{key!r} is not a parameter of {framework}")
        self.key = key


def score_trust(
    parameter_set: ParameterSet, inputs: Mapping[str, InputValue], now: datetime
) -> TrustScore:
    """Score `inputs` (parameter key -> latest input) at `now`. Inputs for keys the set
    does not use are ignored: an organisation's inputs may feed several sets."""
    scored = tuple(score_parameter(p, inputs.get(p.key), now) for p in parameter_set.parameters)
    known = sum(s.points for s in scored if s.points is not None)
    left_out = [s for s in scored if s.points is None]
    low = known + sum(s.min_points for s in left_out)
    high = known + sum(s.max_points for s in left_out)
    levels = parameter_set.levels
    return TrustScore(
        framework=parameter_set.id,
        pillar=parameter_set.pillar,
        config_status=parameter_set.status,
        computed_at=now,
        level=level_for(levels, low) if len(left_out) < len(scored) else None,
        level_range=(level_for(levels, low), level_for(levels, high)),
        score=low,
        score_range=(low, high),
        min_score=parameter_set.min_total,
        max_score=parameter_set.max_total,
        normalised=_on_scale(low, parameter_set),
        normalised_range=(_on_scale(low, parameter_set), _on_scale(high, parameter_set)),
        partial=bool(left_out),
        parameters=scored,
    )


def what_if(
    parameter_set: ParameterSet,
    inputs: Mapping[str, InputValue],
    overrides: Mapping[str, float],
    now: datetime,
) -> TrustScore:
    """The score `overrides` (parameter key -> value) would give with the other inputs
    as they are. Pure: nothing is stored or changed, `inputs` included. An overridden
    value counts as current (as of `now`, source `what_if`)."""
    for key in overrides:
        if key not in parameter_set.by_key:
            raise UnknownParameter(key, parameter_set.id)
    trial = dict(inputs)
    for key, value in overrides.items():
        trial[key] = InputValue(value, now, None, WHAT_IF_SOURCE)
    return score_trust(parameter_set, trial, now)


def score_parameter(
    parameter: Parameter, given: InputValue | None, now: datetime
) -> ParameterScore:
    found = band_of(parameter, given.value) if given else None
    status = _status(parameter, given, found is not None, now)
    index, band = found if found and status is InputStatus.ok else (None, None)
    return ParameterScore(
        key=parameter.key,
        name=parameter.name,
        unit=parameter.unit,
        direction=parameter.direction,
        status=status,
        # NaN and infinities are not shown: JSON has no way to carry them.
        value=given.value if given and math.isfinite(given.value) else None,
        band=parameter.band_number(index) if index is not None else None,
        band_lower=band.lower if band else None,
        band_upper=band.upper if band else None,
        points=band.points if band else None,
        min_points=parameter.min_points,
        max_points=parameter.max_points,
        as_of=given.as_of if given else None,
        stale_after=timedelta(hours=parameter.stale_after_hours),
        source_event_id=given.source_event_id if given else None,
        source_type=given.source_type if given else None,
    )


def _status(
    parameter: Parameter, given: InputValue | None, in_domain: bool, now: datetime
) -> InputStatus:
    if given is None:
        return InputStatus.missing
    if not in_domain:
        return InputStatus.invalid
    # Exactly at the limit an input still counts, as for every other figure's staleness.
    if now - given.as_of > timedelta(hours=parameter.stale_after_hours):
        return InputStatus.stale
    return InputStatus.ok


def band_of(parameter: Parameter, value: float) -> tuple[int, Band] | None:
    """The band holding `value` (its position in ascending order, and the band), or
    None for a value outside the domain or not a number."""
    if not math.isfinite(value):
        return None
    last = len(parameter.bands) - 1
    for i, band in enumerate(parameter.bands):
        if contains((band.lower, band.upper), value, last=i == last):
            return i, band
    return None


def _on_scale(total: int, parameter_set: ParameterSet) -> float:
    return round(normalise(total, parameter_set.min_total, parameter_set.max_total), 1)


def normalise(score: float, lowest: float, highest: float) -> float:
    """`score` on 0-100 between `lowest` and `highest` (a valid set has highest > lowest)."""
    return 100 * (score - lowest) / (highest - lowest)
