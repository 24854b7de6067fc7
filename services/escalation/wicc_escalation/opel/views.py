"""Calculated OPEL as the API shows it, with every figure's age at the time of asking."""

from __future__ import annotations

from collections.abc import Set
from dataclasses import dataclass
from datetime import datetime, timedelta

from wicc_escalation.opel import codec
from wicc_escalation.opel.damping import SettledLevel
from wicc_escalation.opel.divergence import Divergence
from wicc_escalation.opel.models import OpelHistory, OpelState
from wicc_escalation.opel.parameter_set import Pillar
from wicc_escalation.opel.schemas import (
    DeclaredRead,
    DivergenceRead,
    InputSource,
    MemberRead,
    OpelHistoryEntry,
    OrgOpelRead,
    ParameterPoints,
    ParameterRead,
    PillarRead,
    ScoreSummary,
    SystemOpelRead,
)
from wicc_escalation.opel.scoring import InputStatus, ParameterScore, TrustScore
from wicc_escalation.opel.setup import SystemOpel
from wicc_escalation.opel.system import Contribution, PillarScore, SystemScore
from wicc_shared.rules.staleness import age_seconds


@dataclass(frozen=True, slots=True)
class Standing:
    """The parts of a subject's state every read shows beside its score."""

    level: int | None
    settled: SettledLevel | None
    declared: DeclaredRead | None
    divergence: DivergenceRead | None

    @classmethod
    def of(cls, state: OpelState | None, after: timedelta, now: datetime) -> Standing:
        if state is None:
            return cls(None, None, None, None)
        declared = None
        if state.declared_level is not None and state.declared_at is not None:
            declared = DeclaredRead(
                level=state.declared_level,
                declared_at=state.declared_at,
                declaration_id=str(state.declaration_id),
                age_seconds=age_seconds(state.declared_at, now),
            )
        return cls(
            state.level,
            codec.load_settled(state.damping),
            declared,
            divergence_read(codec.load_divergence(state.divergence), after),
        )


def divergence_read(divergence: Divergence | None, after: timedelta) -> DivergenceRead | None:
    if divergence is None or divergence.since is None:
        return None
    return DivergenceRead(
        since=divergence.since, raised=divergence.raised, raise_at=divergence.due_at(after)
    )


def org_read(
    org: str, system: SystemOpel, score: TrustScore, standing: Standing, now: datetime
) -> OrgOpelRead:
    parameter_set = system.config.parameter_sets[score.pillar]
    settled = standing.settled if score.level is not None else None
    return OrgOpelRead(
        org=org,
        system=system.code,
        pillar=score.pillar.value,
        framework=score.framework,
        notice=parameter_set.notice,
        config_status=score.config_status.value,
        computed_at=score.computed_at,
        age_seconds=age_seconds(score.computed_at, now),
        level=standing.level if score.level is not None else None,
        raw_level=score.level,
        level_range=list(score.level_range) if score.level is not None else None,
        settled_since=settled.since if settled else None,
        pending_level=settled.pending_level if settled else None,
        pending_since=settled.pending_since if settled else None,
        score=score.score,
        score_range=list(score.score_range),
        min_score=score.min_score,
        max_score=score.max_score,
        normalised=score.normalised,
        normalised_range=list(score.normalised_range),
        partial=score.partial,
        firm=score.firm,
        missing=score.keys_with(InputStatus.missing),
        stale=score.keys_with(InputStatus.stale),
        invalid=score.keys_with(InputStatus.invalid),
        parameters=[parameter_read(p, now) for p in score.parameters],
        declared=standing.declared,
        divergence=standing.divergence,
    )


def parameter_read(
    p: ParameterScore, now: datetime, overridden: Set[str] = frozenset()
) -> ParameterRead:
    source = None
    if p.source_type is not None:
        source = InputSource(event_id=p.source_event_id, event_type=p.source_type)
    return ParameterRead(
        key=p.key,
        name=p.name,
        unit=p.unit,
        direction=p.direction.value,
        status=p.status.value,
        value=p.value,
        band=p.band,
        band_lower=p.band_lower,
        band_upper=p.band_upper,
        points=p.points,
        min_points=p.min_points,
        max_points=p.max_points,
        as_of=p.as_of,
        age_seconds=age_seconds(p.as_of, now) if p.as_of else None,
        stale_after_hours=p.stale_after.total_seconds() / 3600,
        source=source,
        overridden=p.key in overridden,
    )


def system_read(
    system: SystemOpel, score: SystemScore, standing: Standing, now: datetime
) -> SystemOpelRead:
    result = score.result
    settled = standing.settled if result.level is not None else None
    return SystemOpelRead(
        system=system.code,
        config=score.config,
        combination=system.system.combination.method.value,
        notice=system.system.notice,
        config_status=system.system.status.value,
        computed_at=score.computed_at,
        age_seconds=age_seconds(score.computed_at, now),
        level=standing.level if result.level is not None else None,
        raw_level=result.level,
        level_range=list(result.level_range) if result.level_range else None,
        settled_since=settled.since if settled else None,
        pending_level=settled.pending_level if settled else None,
        pending_since=settled.pending_since if settled else None,
        score=result.score,
        score_range=list(result.score_range) if result.score_range else None,
        partial=result.partial,
        pillars=[_pillar_read(system, c, score.pillars) for c in result.contributions],
        declared=standing.declared,
        divergence=standing.divergence,
    )


def _pillar_read(
    system: SystemOpel, part: Contribution, pillars: tuple[PillarScore, ...]
) -> PillarRead:
    found = next((p for p in pillars if p.pillar.value == part.member), None)
    config = system.system.pillars[Pillar(part.member)]
    weighting = config.effective_weighting(Pillar(part.member))
    return PillarRead(
        pillar=part.member,
        framework=found.framework if found else None,
        weighting=weighting.method.value,
        weight=part.weight,
        share=part.share,
        score=part.score,
        score_range=list(part.score_range) if part.score_range else None,
        level=part.level,
        partial=part.partial,
        excluded=part.excluded.value if part.excluded else None,
        members=[_member_read(m) for m in (found.result.contributions if found else ())],
    )


def _member_read(member: Contribution) -> MemberRead:
    return MemberRead(
        org=member.member,
        weight=member.weight,
        share=member.share,
        score=member.score,
        score_range=list(member.score_range) if member.score_range else None,
        level=member.level,
        partial=member.partial,
        excluded=member.excluded.value if member.excluded else None,
    )


def history_entry(row: OpelHistory) -> OpelHistoryEntry:
    parameters = row.explanation.get("parameters", []) if row.about == "organisation" else []
    return OpelHistoryEntry(
        computed_at=row.computed_at,
        level=row.level,
        raw_level=row.raw_level,
        score=row.score,
        normalised=row.normalised,
        partial=row.partial,
        framework=row.framework,
        parameters=[
            ParameterPoints(
                key=p["key"],
                status=p["status"],
                value=p["value"],
                band=p["band"],
                points=p["points"],
                as_of=p["as_of"],
            )
            for p in parameters
        ],
    )


def summary(score: TrustScore) -> ScoreSummary:
    return ScoreSummary(
        level=score.level,
        level_range=list(score.level_range),
        score=score.score,
        partial=score.partial,
    )
