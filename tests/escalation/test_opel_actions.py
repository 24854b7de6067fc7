"""Action cards in use: issued on a declaration, superseded on a step down, overdue
when not acknowledged in time."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime, timedelta

from tests.escalation.opel_support import CARDS_FILE, NOW
from wicc_escalation.opel.actions import (
    ActionStatus,
    actions_for_declaration,
    is_overdue,
    newly_overdue,
    next_overdue_at,
    superseded_by,
)
from wicc_escalation.opel.cards import CardKind
from wicc_escalation.opel.config import load_action_cards

CARDS = load_action_cards(CARDS_FILE)
MIN = timedelta(minutes=1)


@dataclass(frozen=True)
class Action:
    id: str
    level: int
    status: str
    due_at: datetime
    overdue_raised: bool = False


def card_ids(kind: CardKind, *levels: int) -> list[str]:
    return [card.id for level in levels for card in CARDS.cards_for(kind, level)]


def test_a_first_declaration_issues_every_level_up_to_it() -> None:
    issued = actions_for_declaration(CARDS, CardKind.acute, "RNZ", None, 3, NOW)
    assert [a.card_id for a in issued] == card_ids(CardKind.acute, 2, 3)
    huddle = issued[0]
    assert (huddle.card_id, huddle.org, huddle.level) == ("acute-2-site-huddle", "RNZ", 2)
    assert huddle.owner.role == "site_manager"
    assert (huddle.issued_at, huddle.due_at) == (NOW, NOW + 60 * MIN)


def test_a_step_up_issues_the_levels_above_the_previous_one() -> None:
    issued = actions_for_declaration(CARDS, CardKind.system, "wiltshire", 2, 4, NOW)
    assert [a.card_id for a in issued] == card_ids(CardKind.system, 3, 4)
    council = next(a for a in issued if a.card_id == "system-3-home-care-starts")
    assert council.owner.organisation_kind == "local_authority"


def test_the_same_level_or_a_step_down_issues_nothing() -> None:
    assert actions_for_declaration(CARDS, CardKind.acute, "RNZ", 3, 3, NOW) == []
    assert actions_for_declaration(CARDS, CardKind.acute, "RNZ", 4, 2, NOW) == []


def test_a_kind_without_cards_issues_nothing() -> None:
    assert actions_for_declaration(CARDS, CardKind.nhs_111, "111", None, 4, NOW) == []


def test_a_step_down_supersedes_the_open_actions_above_the_new_level() -> None:
    actions = [
        Action("a2", 2, ActionStatus.issued, NOW),
        Action("a3", 3, ActionStatus.acknowledged, NOW),
        Action("a3-done", 3, ActionStatus.completed, NOW),
        Action("a4", 4, ActionStatus.issued, NOW),
        Action("a4-gone", 4, ActionStatus.superseded, NOW),
    ]
    assert superseded_by(actions, 2) == ["a3", "a4"]
    assert superseded_by(actions, 4) == []


def test_an_unacknowledged_action_is_overdue_from_its_due_time() -> None:
    due = NOW + 30 * MIN
    issued = Action("a", 3, ActionStatus.issued, due)
    assert not is_overdue(issued, due - timedelta(seconds=1))
    assert is_overdue(issued, due)
    assert not is_overdue(Action("b", 3, ActionStatus.acknowledged, due), due + MIN)
    assert not is_overdue(Action("c", 3, ActionStatus.completed, due), due + MIN)


def test_overdue_is_raised_once_per_action() -> None:
    actions = [
        Action("late", 3, ActionStatus.issued, NOW),
        Action("told", 3, ActionStatus.issued, NOW, overdue_raised=True),
        Action("later", 3, ActionStatus.issued, NOW + 45 * MIN),
        Action("seen", 3, ActionStatus.acknowledged, NOW - 45 * MIN),
    ]
    assert newly_overdue(actions, NOW + MIN) == ["late"]
    assert next_overdue_at(actions) == NOW
    assert next_overdue_at(actions[1:]) == NOW + 45 * MIN
    assert next_overdue_at([]) is None
