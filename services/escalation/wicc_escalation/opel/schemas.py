"""Request and response bodies for calculated OPEL (organisations and systems)."""

from __future__ import annotations

from datetime import datetime
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Field

MAX_OVERRIDES = 50
Level = Annotated[int, Field(ge=1, le=4)]


class InputSource(BaseModel):
    event_id: str | None = Field(description="The event that brought the input")
    event_type: str | None = Field(description="e.g. `sitrep.submitted`, `beds.updated`")


class ParameterRead(BaseModel):
    """One parameter: its input, band and points, and where the input came from."""

    key: str
    name: str
    unit: str
    direction: str = Field(description="`higher_is_worse` or `lower_is_worse`")
    status: str = Field(
        description="`ok`; `missing`, `stale` or `invalid` inputs are left out of the score"
    )
    value: float | None
    band: int | None = Field(description="1 is the best band; null unless `ok`")
    band_lower: float | None
    band_upper: float | None = Field(description="Null: the band has no upper bound")
    points: int | None = Field(description="Null unless `ok`")
    min_points: int
    max_points: int
    as_of: datetime | None = Field(description="The moment the input describes")
    age_seconds: float | None = Field(description="Age of the input now")
    stale_after_hours: float
    source: InputSource | None
    overridden: bool = Field(default=False, description="What-if only: a value you gave")


class DeclaredRead(BaseModel):
    level: Level
    declared_at: datetime
    declaration_id: str
    age_seconds: float


class DivergenceRead(BaseModel):
    """The declared and calculated levels differ (an episode is under way)."""

    since: datetime
    raised: bool = Field(description="`opel.diverged` has been sent for this episode")
    raise_at: datetime | None = Field(description="When it will be, if they still differ")


class Calculated(BaseModel):
    """What every calculated OPEL shows: the settled level, the raw one, the score."""

    computed_at: datetime
    age_seconds: float = Field(description="Age of the calculation now")
    level: int | None = Field(
        description="The calculated OPEL: the settled level (damped); null with no usable input"
    )
    raw_level: int | None = Field(description="The level the score gives at once")
    level_range: list[int] | None = Field(
        description="[lowest, highest] level still possible: a partial score is a floor"
    )
    settled_since: datetime | None
    pending_level: int | None = Field(description="A raw level waiting out the hold time")
    pending_since: datetime | None
    partial: bool = Field(description="Some input or member is left out")
    notice: str = Field(description="The configuration's own notice (placeholder values)")
    config_status: str = Field(description="`local_unconfirmed`, `example` or `confirmed`")
    declared: DeclaredRead | None
    divergence: DivergenceRead | None


class OrgOpelRead(Calculated):
    """An organisation's calculated OPEL, explained parameter by parameter."""

    org: str
    system: str
    pillar: str
    framework: str = Field(description="The parameter set's id")
    score: int = Field(description="Total points; the floor when partial")
    score_range: list[int]
    min_score: int
    max_score: int
    normalised: float = Field(description="The score on 0-100")
    normalised_range: list[float]
    firm: bool = Field(description="The level cannot change whatever the left-out inputs are")
    missing: list[str]
    stale: list[str]
    invalid: list[str]
    parameters: list[ParameterRead]


class MemberRead(BaseModel):
    org: str
    weight: float | None
    share: float | None = Field(description="Of the pillar; null when excluded")
    score: float | None = Field(description="0-100, the floor when partial")
    score_range: list[float] | None
    level: int | None
    partial: bool
    excluded: str | None = Field(description="`no_data` or `no_weight`; null when included")


class PillarRead(BaseModel):
    pillar: str
    framework: str | None = Field(description="The parameter set its members were scored on")
    weighting: str = Field(description="`beds`, `equal` or `explicit`")
    weight: float | None = Field(description="The pillar's weight in the system")
    share: float | None
    score: float | None
    score_range: list[float] | None
    level: int | None
    partial: bool
    excluded: str | None
    members: list[MemberRead]


class SystemOpelRead(Calculated):
    """A system's calculated OPEL: pillars from their members, the system from its
    pillars, every contribution shown."""

    system: str
    config: str = Field(description="The system file's id")
    combination: str = Field(description="`mean` or `weighted`")
    score: float | None = Field(description="0-100; the floor when partial")
    score_range: list[float] | None
    pillars: list[PillarRead]


class ParameterPoints(BaseModel):
    key: str
    status: str
    value: float | None
    band: int | None
    points: int | None
    as_of: datetime | None


class OpelHistoryEntry(BaseModel):
    """One calculation that changed something."""

    computed_at: datetime
    level: int | None = Field(description="The calculated (settled) level then")
    raw_level: int | None
    score: float | None
    normalised: float | None
    partial: bool
    framework: str
    parameters: list[ParameterPoints] = Field(description="An organisation's; empty for a system")


class WhatIf(BaseModel):
    """Input values to try; the other inputs stay as they are."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={"examples": [{"overrides": {"adult_ga_occupancy_pct": 99.0}}]},
    )

    overrides: dict[str, Annotated[float, Field(allow_inf_nan=False)]] = Field(
        max_length=MAX_OVERRIDES, description="Parameter key -> value (counts as current)"
    )


class ScoreSummary(BaseModel):
    level: int | None
    level_range: list[int]
    score: int
    partial: bool


class WhatIfRead(BaseModel):
    """The score and level the overrides would give now. Nothing was stored or sent."""

    org: str
    framework: str
    computed_at: datetime
    level: int | None = Field(description="The level the score gives (not damped)")
    level_range: list[int]
    score: int
    score_range: list[int]
    max_score: int
    normalised: float
    partial: bool
    missing: list[str]
    stale: list[str]
    invalid: list[str]
    parameters: list[ParameterRead]
    current: ScoreSummary = Field(description="What the current inputs give now, for comparison")
    calculated_level: int | None = Field(description="The calculated (settled) level shown now")
