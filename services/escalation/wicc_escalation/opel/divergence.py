"""Divergence: a declared level that has differed from the calculated one for too long.

People declare a level by judgement and may rightly differ from the data for a while;
a difference that lasts is worth a look, so once the two have differed for the
configured time an `opel.divergence` is raised, once per episode. An episode runs from
the moment they first differ until they agree again; a change of either level while
they still differ continues it (the question, "why do these differ?", is the same).

Compare the *settled* calculated level (damping.py), not the raw one, so a flapping
score cannot open and close episodes. Same rule for an organisation and a system.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta


@dataclass(frozen=True, slots=True)
class Divergence:
    calculated: int | None
    declared: int | None  # None until anything is declared: nothing to differ from
    since: datetime | None  # start of the current episode; None while they agree
    raised: bool = False  # opel.divergence already raised for this episode

    def due_at(self, after: timedelta) -> datetime | None:
        """When this episode should be raised if nothing changes (for a timer)."""
        if self.since is None or self.raised:
            return None
        return self.since + after


@dataclass(frozen=True, slots=True)
class DivergenceCheck:
    state: Divergence
    raise_now: bool  # emit opel.divergence now (then store `state`, which records it)


def check_divergence(
    previous: Divergence | None,
    calculated: int | None,
    declared: int | None,
    now: datetime,
    after: timedelta,
) -> DivergenceCheck:
    """Call on every new settled level, every declaration and at `due_at`."""
    if calculated is None or declared is None or calculated == declared:
        return DivergenceCheck(Divergence(calculated, declared, None), raise_now=False)
    ongoing = previous if previous is not None and previous.since is not None else None
    since = ongoing.since if ongoing is not None and ongoing.since is not None else now
    raised = ongoing.raised if ongoing is not None else False
    raise_now = not raised and now - since >= after
    state = Divergence(calculated, declared, since, raised or raise_now)
    return DivergenceCheck(state, raise_now)
