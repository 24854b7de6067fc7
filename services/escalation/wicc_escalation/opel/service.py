"""Calculated OPEL: recomputed when an input changes or a timer falls due, kept with
its history, announced; and read back with every figure's age.

An organisation's calculation locks its own state row and then its system's; a
system's calculation reads its members' rows without locking them. Every path takes
the locks in that order, so calculations never deadlock, and two calculations of one
subject never interleave.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any, TypeVar

from sqlalchemy import Insert
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_escalation.inputs import derive
from wicc_escalation.inputs import repository as inputs
from wicc_escalation.opel import codec, events, repository, views
from wicc_escalation.opel.calculation import Kept, Step, Timing, next_stale_at, step
from wicc_escalation.opel.divergence import DivergenceCheck, check_divergence
from wicc_escalation.opel.models import ORGANISATION, SYSTEM, OpelState
from wicc_escalation.opel.parameter_set import Pillar
from wicc_escalation.opel.schemas import (
    OpelHistoryEntry,
    OrgOpelRead,
    SystemOpelRead,
    WhatIf,
    WhatIfRead,
)
from wicc_escalation.opel.scoring import InputStatus, TrustScore, UnknownParameter, score_trust
from wicc_escalation.opel.scoring import what_if as try_values
from wicc_escalation.opel.setup import OpelSetup, SystemOpel
from wicc_escalation.opel.system import SystemScore, score_system
from wicc_escalation.opel.system_config import WeightMethod
from wicc_escalation.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.catalogue.opel import (
    OPEL_CALCULATED,
    OPEL_DIVERGED,
    OPEL_LEVEL_CHANGED,
    OpelCalculated,
)
from wicc_shared.errors import FieldError, NotFound, ValidationFailed
from wicc_shared.kernel.models import Organisation
from wicc_shared.pagination import Page, PageParams

P = TypeVar("P", bound=EventPayload)
Figures = tuple[int | None, float | None, float | None]  # raw level, score, normalised


class OpelNotConfigured(NotFound):
    slug, title = "opel-not-configured", "OPEL is not configured for this organisation or system"


# -- recomputing ------------------------------------------------------------------------


async def recompute_org(session: AsyncSession, setup: OpelSetup, ods: str, now: datetime) -> None:
    """Score the organisation on its current inputs, settle, store, announce; then
    its system. Organisations outside every configured pillar are left alone."""
    found = await scored_org(session, setup, ods)
    if found is None:
        await repository.forget_timer(session, ORGANISATION, ods)
        return
    org, system, pillar = found
    state = await repository.lock_state(session, ORGANISATION, ods, system.code, pillar.value)
    score = await score_now(session, system, pillar, ods, now)
    timing = Timing(now, system.org_damping(pillar), system.divergence_after, next_stale_at(score))
    result = step(_kept(state), score.level, score.score, timing)
    explanation = codec.dump_trust(score)
    changed = _changed(state, explanation, result)
    _keep_timers(state, result)
    if changed:
        payload = events.org_calculated(ods, system.code, score, result)
        figures = (score.level, float(score.score), score.normalised)
        await _publish(session, state, result, (figures, explanation), payload, now)
    await _raise_divergence(session, state, result.divergence, system, now)
    await recompute_system(session, setup, org.system_code, now)


async def recompute_system(
    session: AsyncSession, setup: OpelSetup, code: str, now: datetime
) -> None:
    system = setup.of(code)
    if system is None:
        await repository.forget_timer(session, SYSTEM, code)
        return
    state = await repository.lock_state(session, SYSTEM, code, code)
    score = await system_score_now(session, system, now)
    timing = Timing(now, system.system_damping(), system.divergence_after)
    result = step(_kept(state), score.result.level, score.result.score or 0.0, timing)
    explanation = codec.dump_system(score)
    changed = _changed(state, explanation, result)
    _keep_timers(state, result)
    if changed:
        payload = events.system_calculated(score, system.system.status.value, result)
        figures = (score.result.level, score.result.score, score.result.score)
        await _publish(session, state, result, (figures, explanation), payload, now)
    await _raise_divergence(session, state, result.divergence, system, now)


async def recompute_due(
    session: AsyncSession, setup: OpelSetup, about: str, code: str, now: datetime
) -> None:
    """A timer fell due: recompute the subject as it stands."""
    if about == ORGANISATION:
        await recompute_org(session, setup, code, now)
    else:
        await recompute_system(session, setup, code, now)


async def scored_org(
    session: AsyncSession, setup: OpelSetup, ods: str
) -> tuple[Organisation, SystemOpel, Pillar] | None:
    """The organisation, its system's configuration and its pillar; None when it is
    not scored (unknown, inactive, its system not configured, in no pillar)."""
    org = await repository.active_org(session, ods)
    system = setup.of(org.system_code) if org else None
    pillar = system.pillar_of(org.ods, org.kind) if system and org else None
    if org is None or system is None or pillar is None:
        return None
    return org, system, pillar


async def score_now(
    session: AsyncSession, system: SystemOpel, pillar: Pillar, ods: str, now: datetime
) -> TrustScore:
    """The organisation's score on its current inputs: `score_trust` of the pure core,
    the same function the live calculation, the what-if and the tests use."""
    facts, units = await inputs.scoring_inputs(session, ods)
    live = derive.live_beds(units)
    return score_trust(system.parameter_set(pillar), derive.acute_inputs(facts, live), now)


async def system_score_now(session: AsyncSession, system: SystemOpel, now: datetime) -> SystemScore:
    orgs, explanations = await repository.orgs_and_states(session, system.code)
    members = system.members(orgs)
    scores: dict[Pillar, dict[str, TrustScore]] = {}
    for pillar, codes in members.items():
        expected = system.parameter_set(pillar).id
        scores[pillar] = {}
        for ods in codes:
            stored = _loaded_score(explanations.get(ods))
            if stored is None or stored.framework != expected:
                # Not scored yet, or scored on a file since replaced: as it stands now.
                stored = await score_now(session, system, pillar, ods, now)
            scores[pillar][ods] = stored
    weights = await _bed_weights(session, system, members)
    return score_system(system.system, scores, weights, now)


async def _bed_weights(
    session: AsyncSession, system: SystemOpel, members: dict[Pillar, list[str]]
) -> dict[str, float]:
    weights: dict[str, float] = {}
    for pillar, pillar_config in system.system.pillars.items():
        weighting = pillar_config.effective_weighting(pillar)
        if weighting.method is WeightMethod.beds and weighting.bed_area is not None:
            beds = await repository.core_beds(session, system.code, weighting.bed_area)
            weights.update({ods: beds[ods] for ods in members[pillar] if ods in beds})
    return weights


def _stored_score(state: OpelState | None) -> TrustScore | None:
    return _loaded_score(state.explanation if state else None)


def _loaded_score(explanation: codec.Json | None) -> TrustScore | None:
    return codec.load_trust(explanation) if explanation else None


def _kept(state: OpelState) -> Kept:
    return Kept(
        settled=codec.load_settled(state.damping),
        level=state.level,
        declared=state.declared_level,
        divergence=codec.load_divergence(state.divergence),
    )


def _changed(state: OpelState, explanation: codec.Json, result: Step) -> bool:
    """Anything but the moment of calculation: a value, an input's status, the
    settled level or a pending one. (A divergence has its own event.)"""
    before = {k: v for k, v in (state.explanation or {}).items() if k != "computed_at"}
    after = {k: v for k, v in explanation.items() if k != "computed_at"}
    return (
        before != after
        or state.damping != codec.dump_settled(result.settled)
        or result.level_changed
    )


async def _publish(
    session: AsyncSession,
    state: OpelState,
    result: Step,
    calculated: tuple[Figures, codec.Json],
    payload: OpelCalculated,
    now: datetime,
) -> None:
    """Store the calculation and its history; announce it, and a level change."""
    (raw_level, score, normalised), explanation = calculated
    previous = state.level
    state.computed_at, state.explanation = now, explanation
    state.raw_level, state.score, state.normalised = raw_level, score, normalised
    state.partial, state.level = payload.partial, result.level
    state.calculations += 1
    kept = repository.add_history(_history(state, payload.framework))
    await _announce(session, OPEL_CALCULATED, payload, kept=kept)
    if result.level_changed:
        changed = events.level_changed(
            state.about, state.code, state.system_code, previous, result, calculated[0], now
        )
        await _announce(session, OPEL_LEVEL_CHANGED, changed)


def _keep_timers(state: OpelState, result: Step) -> None:
    """Keep the level state, the divergence state and the next timer, whether or not
    anything is announced. Set before the calculation is stored, so that one UPDATE
    writes the whole row."""
    state.damping = codec.dump_settled(result.settled)
    state.due_at = result.due_at
    state.divergence = codec.dump_divergence(result.divergence.state)


async def _raise_divergence(
    session: AsyncSession,
    state: OpelState,
    check: DivergenceCheck,
    system: SystemOpel,
    now: datetime,
) -> None:
    """Announce `opel.diverged` when an episode has lasted the configured time (once
    per episode: the state records it), after the calculation's own events; then write
    what is still pending."""
    if check.raise_now:
        payload = events.diverged(
            state.about, state.code, state.system_code, check.state, system.divergence_after, now
        )
        await _announce(session, OPEL_DIVERGED, payload)
    await session.flush()


async def redeclare(
    session: AsyncSession, state: OpelState, system: SystemOpel, level: int, now: datetime
) -> None:
    """A new declared level on the (locked) state: a divergence episode may start or
    end; the other timers (settling, inputs turning stale) are unchanged."""
    after = system.divergence_after
    check = check_divergence(
        codec.load_divergence(state.divergence), state.level, level, now, after
    )
    state.declared_level = level
    due = [d for d in (state.due_at, check.state.due_at(after)) if d is not None]
    state.due_at = min(due, default=None)
    state.divergence = codec.dump_divergence(check.state)
    await _raise_divergence(session, state, check, system, now)


async def _announce(
    session: AsyncSession, event_type: EventType[P], payload: P, *, kept: Insert | None = None
) -> None:
    # A calculation is derived from inputs already audited where they were accepted;
    # it is kept in opel_history rather than the audit log (see audited_write).
    announcement = audited_write.announce(OUTBOX, event_type, payload)
    await audited_write.record_derived(session, announcement, kept=kept)


def _history(state: OpelState, framework: str) -> dict[str, Any]:
    assert state.computed_at is not None
    assert state.explanation is not None
    return dict(
        about=state.about,
        code=state.code,
        system_code=state.system_code,
        computed_at=state.computed_at,
        level=state.level,
        raw_level=state.raw_level,
        score=state.score,
        normalised=state.normalised,
        partial=state.partial,
        framework=framework,
        explanation=state.explanation,
    )


# -- reading ----------------------------------------------------------------------------


async def org_opel(session: AsyncSession, setup: OpelSetup, ods: str, now: datetime) -> OrgOpelRead:
    org, system, pillar = await scored_or_404(session, setup, ods)
    state = await repository.state(session, ORGANISATION, ods)
    score = _stored_score(state) or await score_now(session, system, pillar, ods, now)
    standing = views.Standing.of(state, system.divergence_after, now)
    return views.org_read(org.ods, system, score, standing, now)


async def system_opel(
    session: AsyncSession, setup: OpelSetup, code: str, now: datetime
) -> SystemOpelRead:
    system = await system_or_404(session, setup, code)
    state = await repository.state(session, SYSTEM, code)
    if state is not None and state.explanation:
        score = codec.load_system(state.explanation)
    else:
        score = await system_score_now(session, system, now)
    standing = views.Standing.of(state, system.divergence_after, now)
    return views.system_read(system, score, standing, now)


async def history(
    session: AsyncSession,
    setup: OpelSetup,
    subject: tuple[str, str],
    period: tuple[datetime | None, datetime | None],
    page: PageParams,
) -> Page[OpelHistoryEntry]:
    about, code = subject
    if about == ORGANISATION:
        await scored_or_404(session, setup, code)
    else:
        await system_or_404(session, setup, code)
    since, until = period
    if since is not None and until is not None and until <= since:
        raise ValidationFailed([FieldError("to", "must be after `from`", "query")])
    rows, total = await repository.history(session, about, code, since, until, page)
    return Page(
        items=[views.history_entry(r) for r in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


async def what_if(
    session: AsyncSession, setup: OpelSetup, ods: str, body: WhatIf, now: datetime
) -> WhatIfRead:
    """The score the overrides would give now. Reads only: nothing is stored or sent."""
    org, system, pillar = await scored_or_404(session, setup, ods)
    parameter_set = system.parameter_set(pillar)
    facts, units = await inputs.scoring_inputs(session, ods)
    current = derive.acute_inputs(facts, derive.live_beds(units))
    try:
        tried = try_values(parameter_set, current, body.overrides, now)
    except UnknownParameter as exc:
        known = ", ".join(parameter_set.by_key)
        message = f"not a parameter of {parameter_set.id} (known: {known})"
        raise ValidationFailed([FieldError(f"overrides.{exc.key}", message)]) from None
    state = await repository.state(session, ORGANISATION, ods)
    return WhatIfRead(
        org=org.ods,
        framework=tried.framework,
        computed_at=now,
        level=tried.level,
        level_range=list(tried.level_range),
        score=tried.score,
        score_range=list(tried.score_range),
        max_score=tried.max_score,
        normalised=tried.normalised,
        partial=tried.partial,
        missing=tried.keys_with(InputStatus.missing),
        stale=tried.keys_with(InputStatus.stale),
        invalid=tried.keys_with(InputStatus.invalid),
        parameters=[views.parameter_read(p, now, set(body.overrides)) for p in tried.parameters],
        current=views.summary(score_trust(parameter_set, current, now)),
        calculated_level=state.level if state else None,
    )


async def scored_or_404(
    session: AsyncSession, setup: OpelSetup, ods: str
) -> tuple[Organisation, SystemOpel, Pillar]:
    found = await scored_org(session, setup, ods)
    if found is not None:
        return found
    if await repository.active_org(session, ods) is None:
        raise NotFound(f"No active organisation with ODS code {ods!r}.")
    raise OpelNotConfigured(
        f"{ods} is in no OPEL pillar of its system's configuration, or its system has none."
    )


async def system_or_404(session: AsyncSession, setup: OpelSetup, code: str) -> SystemOpel:
    system = setup.of(code)
    if system is not None:
        return system
    if await repository.care_system(session, code) is None:
        raise NotFound(f"No care system {code!r}.")
    raise OpelNotConfigured(f"The care system {code!r} has no OPEL configuration file.")
