"""How a system's OPEL is put together: which parameter set scores each pillar, how
organisations are weighted within a pillar, how pillars combine, the system's level
ranges, damping and the divergence time for declarations.

Pillar and system scores are on the 0-100 scale (each organisation's total,
normalised), so pillars scored on different parameter sets can be combined.
"""

from __future__ import annotations

from enum import StrEnum

from pydantic import Field, model_validator

from wicc_escalation.opel.config_error import InvalidAt
from wicc_escalation.opel.parameter_set import SET_ID, ConfigStatus, Pillar
from wicc_escalation.opel.ranges import LevelRange, Strict, check_levels

ORG_CODE = r"^[A-Za-z0-9][A-Za-z0-9_.-]*$"
FILE_NAME = r"^[A-Za-z0-9][A-Za-z0-9_.-]*\.ya?ml$"
SCALE = (0.0, 100.0)


class WeightMethod(StrEnum):
    beds = "beds"  # each organisation's core beds of `bed_area`, supplied by the caller
    equal = "equal"
    explicit = "explicit"  # the `weights` listed here


class Weighting(Strict):
    method: WeightMethod
    bed_area: str | None = None
    weights: dict[str, float] = {}

    @model_validator(mode="after")
    def _complete(self) -> Weighting:
        if (self.method is WeightMethod.beds) != (self.bed_area is not None):
            raise InvalidAt(("bed_area",), "bed_area is needed with method beds, and only then")
        if (self.method is WeightMethod.explicit) != bool(self.weights):
            raise InvalidAt(("weights",), "weights are needed with method explicit, and only then")
        for org, weight in self.weights.items():
            if not weight > 0:
                raise InvalidAt(("weights", org), f"weight must be above 0, not {weight:g}")
        return self


# Acute trusts are weighted by their core adult G&A beds (a bigger trust under
# pressure moves the system more); other pillars have no common bed base.
DEFAULT_WEIGHTING = {
    Pillar.acute: Weighting(method=WeightMethod.beds, bed_area="adult_ga"),
}
EQUAL = Weighting(method=WeightMethod.equal)


class PillarConfig(Strict):
    parameter_set: str = Field(pattern=FILE_NAME, description="File next to this one")
    weighting: Weighting | None = None
    organisations: list[str] | None = Field(
        default=None, description="Default: the system's organisations of the pillar's kind"
    )

    def effective_weighting(self, pillar: Pillar) -> Weighting:
        return self.weighting or DEFAULT_WEIGHTING.get(pillar, EQUAL)


class CombineMethod(StrEnum):
    mean = "mean"  # plain mean of the pillars that have a score
    weighted = "weighted"


class Combination(Strict):
    method: CombineMethod = CombineMethod.mean
    weights: dict[Pillar, float] = {}

    @model_validator(mode="after")
    def _weights_fit(self) -> Combination:
        if (self.method is CombineMethod.weighted) != bool(self.weights):
            raise InvalidAt(("weights",), "weights are needed with method weighted, and only then")
        for pillar, weight in self.weights.items():
            if not weight > 0:
                raise InvalidAt(
                    ("weights", pillar.value), f"weight must be above 0, not {weight:g}"
                )
        return self


class DampingConfig(Strict):
    hold_minutes: float = Field(default=30, ge=0, le=24 * 60, allow_inf_nan=False)
    margin: float | None = Field(
        default=10,
        ge=0,
        le=100,
        allow_inf_nan=False,
        description="Points of the 0-100 score past a level boundary that change the level"
        " at once; null turns the rule off (only the hold applies)",
    )


class DeclarationConfig(Strict):
    divergence_minutes: float = Field(default=60, gt=0, le=7 * 24 * 60, allow_inf_nan=False)


class SystemConfig(Strict):
    id: str = Field(pattern=SET_ID, max_length=80)
    name: str = Field(min_length=1)
    system: str = Field(pattern=ORG_CODE, max_length=40)
    status: ConfigStatus
    notice: str = Field(min_length=1)
    action_cards: str = Field(pattern=FILE_NAME, description="File next to this one")
    pillars: dict[Pillar, PillarConfig] = Field(min_length=1)
    combination: Combination = Combination()
    levels: list[LevelRange]
    damping: DampingConfig = DampingConfig()
    declarations: DeclarationConfig = DeclarationConfig()

    @model_validator(mode="after")
    def _consistent(self) -> SystemConfig:
        for pillar in self.combination.weights:
            if pillar not in self.pillars:
                raise InvalidAt(
                    ("combination", "weights", pillar.value), "weight for a pillar not configured"
                )
        if self.combination.method is CombineMethod.weighted:
            for pillar in self.pillars:
                if pillar not in self.combination.weights:
                    raise InvalidAt(("combination", "weights"), f"no weight for pillar {pillar}")
        check_levels(self.levels, *SCALE)
        return self
