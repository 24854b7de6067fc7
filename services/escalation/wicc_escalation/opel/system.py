"""A system's OPEL: organisations' scores combined into pillar scores, pillars into the
system score, every contribution shown.

All on the 0-100 scale. A pillar is the weighted mean of its organisations' normalised
scores (weights by configuration: core beds, equal or explicit); the system is the
mean, plain or weighted, of the pillars that have a score. Means are taken of the
figures as shown (one decimal), so the contributions on screen add up to the total.

Nothing is silently dropped: an organisation with no usable input, or with no weight,
is listed as excluded and makes its pillar partial; a pillar with no score is listed
as excluded and makes the system partial. An excluded member is named, not estimated:
the range (floor to ceiling, as for an organisation, see scoring.py) covers the
included members' left-out parameters only.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from datetime import datetime
from enum import StrEnum

from wicc_escalation.opel.parameter_set import Pillar
from wicc_escalation.opel.ranges import LevelRange, level_for
from wicc_escalation.opel.scoring import TrustScore
from wicc_escalation.opel.system_config import (
    CombineMethod,
    SystemConfig,
    Weighting,
    WeightMethod,
)


class Exclusion(StrEnum):
    no_data = "no_data"  # no usable input (or, for a pillar, no organisation scored)
    no_weight = "no_weight"  # no weight known, or a weight of 0


@dataclass(frozen=True, slots=True)
class Contribution:
    """One organisation's part in a pillar, or one pillar's part in the system."""

    member: str  # an ODS code, or a pillar name
    weight: float | None
    share: float | None  # weight / the included members' total weight; None if excluded
    score: float | None  # 0-100, the floor when partial
    score_range: tuple[float, float] | None
    level: int | None  # the member's own level (an organisation's on its parameter set)
    partial: bool
    excluded: Exclusion | None


@dataclass(frozen=True, slots=True)
class Combined:
    score: float | None  # None when every member is excluded
    score_range: tuple[float, float] | None
    level: int | None
    level_range: tuple[int, int] | None
    partial: bool
    contributions: tuple[Contribution, ...]


@dataclass(frozen=True, slots=True)
class PillarScore:
    pillar: Pillar
    framework: str | None  # the parameter set its organisations were scored on
    result: Combined


@dataclass(frozen=True, slots=True)
class SystemScore:
    system: str
    config: str  # the system configuration's id
    computed_at: datetime
    result: Combined
    pillars: tuple[PillarScore, ...]


def score_system(
    config: SystemConfig,
    org_scores: Mapping[Pillar, Mapping[str, TrustScore]],
    bed_weights: Mapping[str, float],
    now: datetime,
) -> SystemScore:
    """Every configured pillar from its organisations' scores (ODS -> score), then the
    system. `bed_weights` gives each organisation's core beds of its pillar's
    configured `bed_area`, for pillars weighted by beds."""
    pillars = tuple(
        combine_pillar(pillar, config, org_scores.get(pillar, {}), bed_weights)
        for pillar in config.pillars
    )
    return combine_system(config, pillars, now)


def combine_pillar(
    pillar: Pillar,
    config: SystemConfig,
    scores: Mapping[str, TrustScore],
    bed_weights: Mapping[str, float],
) -> PillarScore:
    weighting = config.pillars[pillar].effective_weighting(pillar)
    members = []
    for org in sorted(scores):
        score = scores[org]
        if score.pillar is not pillar:
            raise ValueError(f"{org} was scored for the {score.pillar} pillar, not {pillar}")
        members.append(_org_member(org, score, _weight(weighting, org, bed_weights)))
    frameworks = {scores[org].framework for org in scores}
    framework = frameworks.pop() if len(frameworks) == 1 else None
    return PillarScore(pillar, framework, combine(members, config.levels))


def combine_system(
    config: SystemConfig, pillars: Sequence[PillarScore], now: datetime
) -> SystemScore:
    by_pillar = {p.pillar: p for p in pillars}
    members = []
    for pillar in config.pillars:
        weight = (
            config.combination.weights[pillar]
            if config.combination.method is CombineMethod.weighted
            else 1.0
        )
        found = by_pillar.get(pillar)
        members.append(_pillar_member(pillar, found.result if found else None, weight))
    return SystemScore(
        system=config.system,
        config=config.id,
        computed_at=now,
        result=combine(members, config.levels),
        pillars=tuple(by_pillar[p] for p in config.pillars if p in by_pillar),
    )


def _weight(weighting: Weighting, org: str, bed_weights: Mapping[str, float]) -> float | None:
    if weighting.method is WeightMethod.equal:
        return 1.0
    if weighting.method is WeightMethod.explicit:
        return weighting.weights.get(org)
    return bed_weights.get(org)


def _org_member(org: str, score: TrustScore, weight: float | None) -> Contribution:
    return Contribution(
        member=org,
        weight=weight,
        share=None,
        score=score.normalised,
        score_range=score.normalised_range,
        level=score.level,
        partial=score.partial,
        excluded=_exclusion(score.level is None, weight),
    )


def _pillar_member(pillar: Pillar, result: Combined | None, weight: float) -> Contribution:
    return Contribution(
        member=pillar.value,
        weight=weight,
        share=None,
        score=result.score if result else None,
        score_range=result.score_range if result else None,
        level=result.level if result else None,
        partial=result.partial if result else True,
        excluded=_exclusion(result is None or result.score is None, weight),
    )


def _exclusion(no_data: bool, weight: float | None) -> Exclusion | None:
    if no_data:
        return Exclusion.no_data
    if weight is None or not weight > 0:
        return Exclusion.no_weight
    return None


def combine(members: Sequence[Contribution], levels: Sequence[LevelRange]) -> Combined:
    """The weighted mean of the included members' scores (and of their ranges)."""
    included = [m for m in members if m.excluded is None]
    total = sum(m.weight or 0.0 for m in included)
    shared = tuple(
        replace(m, share=(m.weight or 0.0) / total if m.excluded is None else None) for m in members
    )
    partial = any(m.partial or m.excluded is not None for m in members)
    if not included:
        return Combined(None, None, None, None, True, shared)
    low = round(sum((m.share or 0.0) * _low(m) for m in shared), 1)
    high = round(sum((m.share or 0.0) * _high(m) for m in shared), 1)
    return Combined(
        score=low,
        score_range=(low, high),
        level=level_for(levels, low),
        level_range=(level_for(levels, low), level_for(levels, high)),
        partial=partial,
        contributions=shared,
    )


def _low(member: Contribution) -> float:
    return member.score_range[0] if member.score_range else 0.0


def _high(member: Contribution) -> float:
    return member.score_range[1] if member.score_range else 0.0
