"""Action cards in use: what a declaration issues, what a step down supersedes, and
when an action is overdue.

A step up from level P to L issues the cards of every level above P up to L, so a
jump from 1 to 4 still starts the level 2 and 3 actions. A step down supersedes the
open actions of the levels above the new one; the new level's own actions, issued on
the way up, stay open. Re-declaring the same level issues nothing.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Protocol

from wicc_escalation.opel.cards import ActionCards, CardKind, Owner


class ActionStatus(StrEnum):
    issued = "issued"
    acknowledged = "acknowledged"
    completed = "completed"
    superseded = "superseded"


OPEN = frozenset({ActionStatus.issued, ActionStatus.acknowledged})


@dataclass(frozen=True, slots=True)
class ActionToIssue:
    card_id: str
    org: str  # the declaring organisation's ODS code, or the system's code
    kind: CardKind
    level: int
    title: str
    owner: Owner
    issued_at: datetime
    due_at: datetime  # acknowledge by then, or it is overdue


class ActionView(Protocol):
    """What these rules read of a stored action (a table row fits as it is)."""

    @property
    def id(self) -> str: ...
    @property
    def level(self) -> int: ...
    @property
    def status(self) -> str: ...
    @property
    def due_at(self) -> datetime: ...
    @property
    def overdue_raised(self) -> bool: ...


def actions_for_declaration(
    cards: ActionCards,
    kind: CardKind,
    org: str,
    previous_level: int | None,
    level: int,
    issued_at: datetime,
) -> list[ActionToIssue]:
    """The actions a declaration of `level` issues, after `previous_level` (None when
    nothing was declared before)."""
    first = (previous_level or 0) + 1
    return [
        ActionToIssue(
            card_id=card.id,
            org=org,
            kind=kind,
            level=lvl,
            title=card.title,
            owner=card.owner,
            issued_at=issued_at,
            due_at=issued_at + timedelta(minutes=card.due_minutes),
        )
        for lvl in range(first, level + 1)
        for card in cards.cards_for(kind, lvl)
    ]


def superseded_by(actions: Iterable[ActionView], level: int) -> list[str]:
    """Ids of the open actions a declaration of `level` closes as superseded."""
    return [a.id for a in actions if a.status in OPEN and a.level > level]


def is_overdue(action: ActionView, now: datetime) -> bool:
    """Still unacknowledged at its due time. From the due time itself on, so that a
    timer set for `next_overdue_at` finds it overdue."""
    return action.status == ActionStatus.issued and now >= action.due_at


def newly_overdue(actions: Iterable[ActionView], now: datetime) -> list[str]:
    """Ids of the actions to raise `action.overdue` for now: once per action."""
    return [a.id for a in actions if is_overdue(a, now) and not a.overdue_raised]


def next_overdue_at(actions: Iterable[ActionView]) -> datetime | None:
    """The earliest due time still to be watched (for a worker's timer)."""
    due = [a.due_at for a in actions if a.status == ActionStatus.issued and not a.overdue_raised]
    return min(due, default=None)
