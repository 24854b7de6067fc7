"""Damping: a calculated level that does not flap.

The *raw* level is what the latest score gives; the *settled* level is the one shown as
the calculated OPEL and compared with declarations. The settled level moves to a new
level once the raw level has been at or beyond it for `hold` without a break, or at
once when the raw score is at least `margin` past the settled level's boundary (a
large jump is not held back). A level that has held for `hold` settles even if the raw
level went further meanwhile: from 2, raw 3 at 09:00 and 4 at 09:10 settle 3 at 09:30
and 4 at 09:40.

Nothing here reads the clock: a worker calls `settle` on every new score and again at
`settles_at`, since a level can mature without any new input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from wicc_escalation.opel.parameter_set import ParameterSet
from wicc_escalation.opel.ranges import LevelRange
from wicc_escalation.opel.system_config import DampingConfig


@dataclass(frozen=True, slots=True)
class Damping:
    hold: timedelta
    margin: float | None  # in the unit of the scores given to `settle`; None: rule off
    levels: tuple[LevelRange, ...]  # the ranges those scores map to levels by


def trust_damping(parameter_set: ParameterSet, config: DampingConfig) -> Damping:
    """For an organisation's totals: the 0-100 margin converted to its set's points."""
    span = parameter_set.max_total - parameter_set.min_total
    margin = None if config.margin is None else config.margin * span / 100
    return Damping(_hold(config), margin, tuple(parameter_set.levels))


def scale_damping(config: DampingConfig, levels: list[LevelRange]) -> Damping:
    """For pillar and system scores (0-100, the system configuration's levels)."""
    return Damping(_hold(config), config.margin, tuple(levels))


def _hold(config: DampingConfig) -> timedelta:
    return timedelta(minutes=config.hold_minutes)


@dataclass(frozen=True, slots=True)
class SettledLevel:
    level: int  # the settled (shown) level
    since: datetime  # when it settled
    raw_level: int
    raw_score: float
    pending_level: int | None  # the raw level, while it differs from the settled one
    pending_since: datetime | None  # since when the raw level has been at or beyond it
    # For each level from the settled one towards the raw one: since when the raw level
    # has been at or beyond it without a break.
    held: tuple[tuple[int, datetime], ...] = ()

    def settles_at(self, hold: timedelta) -> datetime | None:
        """When the nearest pending level matures if nothing changes; None if none."""
        return self.held[0][1] + hold if self.held else None


def settle(
    previous: SettledLevel | None,
    raw_level: int,
    raw_score: float,
    now: datetime,
    damping: Damping,
) -> SettledLevel:
    """The state after a new raw level (or a timer tick with the same raw level)."""
    if previous is None:  # the first calculation has nothing to damp
        return SettledLevel(raw_level, now, raw_level, raw_score, None, None)
    if raw_level == previous.level:
        return SettledLevel(previous.level, previous.since, raw_level, raw_score, None, None)
    if _past_margin(previous.level, raw_level, raw_score, damping):
        return SettledLevel(raw_level, now, raw_level, raw_score, None, None)
    step = 1 if raw_level > previous.level else -1
    earlier = dict(previous.held)
    held = {
        level: earlier.get(level, now)
        for level in range(previous.level + step, raw_level + step, step)
    }
    level, since = previous.level, previous.since
    matured = [lvl for lvl, start in held.items() if start + damping.hold <= now]
    if matured:  # nearer levels matured first: take the farthest that has
        level = matured[-1]
        since = held[level] + damping.hold
        held = {lvl: start for lvl, start in held.items() if (lvl - level) * step > 0}
    if level == raw_level:
        return SettledLevel(level, since, raw_level, raw_score, None, None)
    return SettledLevel(
        level, since, raw_level, raw_score, raw_level, held[raw_level], tuple(held.items())
    )


def _past_margin(settled: int, raw_level: int, raw_score: float, damping: Damping) -> bool:
    if damping.margin is None:
        return False
    current = damping.levels[settled - 1]
    if raw_level > settled:
        return raw_score - current.upper >= damping.margin
    return current.lower - raw_score >= damping.margin
