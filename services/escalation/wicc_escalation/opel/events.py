"""The OPEL events escalation announces, built from its scores and level states."""

from __future__ import annotations

from datetime import datetime, timedelta

from wicc_escalation.opel.calculation import Step
from wicc_escalation.opel.divergence import Divergence
from wicc_escalation.opel.models import ORGANISATION
from wicc_escalation.opel.scoring import InputStatus, TrustScore
from wicc_escalation.opel.system import Contribution, PillarScore, SystemScore
from wicc_shared.catalogue.opel import (
    MemberPart,
    OpelAbout,
    OpelCalculated,
    OpelDiverged,
    OpelLevelChanged,
    ParameterPoints,
    PillarPart,
)


def org_calculated(org: str, system: str, score: TrustScore, step: Step) -> OpelCalculated:
    settled = step.settled if step.level is not None else None
    return OpelCalculated(
        about=OpelAbout.organisation,
        org=org,
        system=system,
        pillar=score.pillar.value,
        framework=score.framework,
        config_status=score.config_status.value,
        computed_at=score.computed_at,
        level=step.level,
        raw_level=score.level,
        level_range=list(score.level_range) if score.level is not None else None,
        settled_since=settled.since if settled else None,
        pending_level=settled.pending_level if settled else None,
        pending_since=settled.pending_since if settled else None,
        score=score.score,
        score_range=[float(v) for v in score.score_range],
        max_score=score.max_score,
        normalised=score.normalised,
        partial=score.partial,
        missing=score.keys_with(InputStatus.missing),
        stale=score.keys_with(InputStatus.stale),
        invalid=score.keys_with(InputStatus.invalid),
        excluded=[],
        parameters=[
            ParameterPoints(
                key=p.key,
                status=p.status.value,
                value=p.value,
                band=p.band,
                points=p.points,
                max_points=p.max_points,
                as_of=p.as_of,
                source_event_id=p.source_event_id,
            )
            for p in score.parameters
        ],
        pillars=[],
    )


def system_calculated(score: SystemScore, config_status: str, step: Step) -> OpelCalculated:
    result = score.result
    settled = step.settled if step.level is not None else None
    by_pillar = {p.pillar.value: p for p in score.pillars}
    pillars = [_pillar_part(c, by_pillar.get(c.member)) for c in result.contributions]
    excluded = [p.pillar for p in pillars if p.excluded] + [
        m.org for p in pillars if not p.excluded for m in p.members if m.excluded
    ]
    return OpelCalculated(
        about=OpelAbout.system,
        org=None,
        system=score.system,
        pillar=None,
        framework=score.config,
        config_status=config_status,
        computed_at=score.computed_at,
        level=step.level,
        raw_level=result.level,
        level_range=list(result.level_range) if result.level_range else None,
        settled_since=settled.since if settled else None,
        pending_level=settled.pending_level if settled else None,
        pending_since=settled.pending_since if settled else None,
        score=result.score,
        score_range=list(result.score_range) if result.score_range else None,
        max_score=100.0,
        normalised=result.score,
        partial=result.partial,
        missing=[],
        stale=[],
        invalid=[],
        excluded=excluded,
        parameters=[],
        pillars=pillars,
    )


def _pillar_part(part: Contribution, found: PillarScore | None) -> PillarPart:
    return PillarPart(
        pillar=part.member,
        framework=found.framework if found else None,
        weight=part.weight,
        share=part.share,
        score=part.score,
        level=part.level,
        partial=part.partial,
        excluded=part.excluded.value if part.excluded else None,
        members=[_member_part(m) for m in (found.result.contributions if found else ())],
    )


def _member_part(member: Contribution) -> MemberPart:
    return MemberPart(
        org=member.member,
        weight=member.weight,
        share=member.share,
        score=member.score,
        level=member.level,
        partial=member.partial,
        excluded=member.excluded.value if member.excluded else None,
    )


def level_changed(
    about: str,
    code: str,
    system: str,
    previous: int | None,
    step: Step,
    figures: tuple[int | None, float | None, float | None],
    now: datetime,
) -> OpelLevelChanged:
    raw_level, score, normalised = figures
    return OpelLevelChanged(
        about=OpelAbout(about),
        org=code if about == ORGANISATION else None,
        system=system,
        previous_level=previous,
        level=step.level,
        raw_level=raw_level,
        score=score,
        normalised=normalised,
        changed_at=now,
    )


def diverged(
    about: str, code: str, system: str, divergence: Divergence, after: timedelta, now: datetime
) -> OpelDiverged:
    assert divergence.since is not None
    assert divergence.declared is not None
    assert divergence.calculated is not None
    return OpelDiverged(
        about=OpelAbout(about),
        org=code if about == ORGANISATION else None,
        system=system,
        declared_level=divergence.declared,
        calculated_level=divergence.calculated,
        since=divergence.since,
        raised_at=now,
        after_minutes=after.total_seconds() / 60,
    )
