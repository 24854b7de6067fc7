"""One step of a subject's OPEL (an organisation's or a system's), from a new score or
a timer: the settled level, the divergence from the declared level, and when the
next timer is due. Pure: the service stores what this returns.

The rules themselves are damping.py and divergence.py; this only sequences them as
the worker must: a raw level of None (no usable input) is not settled (the damping
state is kept for when data returns) and shows no calculated level, which also ends
any divergence episode (no data is not a level to differ from).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from wicc_escalation.opel.damping import Damping, SettledLevel, settle
from wicc_escalation.opel.divergence import Divergence, DivergenceCheck, check_divergence
from wicc_escalation.opel.scoring import InputStatus, TrustScore

# An input exactly at its limit still counts (scoring.py): it is stale just after.
_JUST_AFTER = timedelta(microseconds=1)


@dataclass(frozen=True, slots=True)
class Kept:
    """What is kept between steps."""

    settled: SettledLevel | None
    level: int | None  # the calculated level shown after the last step
    declared: int | None
    divergence: Divergence | None


@dataclass(frozen=True, slots=True)
class Timing:
    now: datetime
    damping: Damping
    divergence_after: timedelta
    stale_at: datetime | None = None  # when the next usable input turns stale


@dataclass(frozen=True, slots=True)
class Step:
    settled: SettledLevel | None
    level: int | None  # the calculated level to show: settled, or None without data
    divergence: DivergenceCheck
    level_changed: bool
    due_at: datetime | None  # when a timer must look again, if nothing else happens


def step(kept: Kept, raw_level: int | None, raw_score: float, timing: Timing) -> Step:
    """After a new score (or a timer tick with the same inputs)."""
    settled = kept.settled
    if raw_level is not None:
        settled = settle(settled, raw_level, raw_score, timing.now, timing.damping)
    level = settled.level if raw_level is not None and settled is not None else None
    return _finish(kept, settled, level, timing)


def _finish(kept: Kept, settled: SettledLevel | None, level: int | None, timing: Timing) -> Step:
    check = check_divergence(
        kept.divergence, level, kept.declared, timing.now, timing.divergence_after
    )
    settles_at = None
    if settled is not None and level is not None:
        settles_at = settled.settles_at(timing.damping.hold)
    due = [
        settles_at,
        timing.stale_at,
        check.state.due_at(timing.divergence_after),
    ]
    return Step(
        settled=settled,
        level=level,
        divergence=check,
        level_changed=level != kept.level,
        due_at=min((d for d in due if d is not None), default=None),
    )


def next_stale_at(score: TrustScore) -> datetime | None:
    """When the first input that counts now stops counting (a timer recomputes then,
    so a score turns partial without waiting for a new input)."""
    ends = [
        p.as_of + p.stale_after + _JUST_AFTER
        for p in score.parameters
        if p.status is InputStatus.ok and p.as_of is not None
    ]
    return min(ends, default=None)
