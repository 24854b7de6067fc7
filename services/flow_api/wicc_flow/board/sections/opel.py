"""The OPEL section: per organisation and for each system, the calculated level (with
the raw one, the score and the inputs left out as stale or missing), the declared
level, and the open and overdue actions.

Built only from the escalation service's events (catalogue payloads): the flow
service never imports escalation. An action counts as overdue from its due time on,
judged when the view is taken, even before the worker's `action.escalated` arrives,
so a lagging worker cannot hide an action nobody has picked up.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

from wicc_flow.board.sections.base import dumped, restored
from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.catalogue.opel import (
    ACTION_ACKNOWLEDGED,
    ACTION_COMPLETED,
    ACTION_ESCALATED,
    ACTION_ISSUED,
    ACTION_SUPERSEDED,
    OPEL_CALCULATED,
    OPEL_DECLARED,
    OPEL_DIVERGED,
    OPEL_LEVEL_CHANGED,
    ActionChanged,
    OpelCalculated,
    OpelDeclared,
    OpelPayload,
)

OPEN = frozenset({"issued", "acknowledged"})
# What a board needs of a calculation: the level, the score, what was left out.
CALCULATED_FIELDS = (
    "level",
    "raw_level",
    "level_range",
    "pending_level",
    "pending_since",
    "score",
    "max_score",
    "normalised",
    "partial",
    "missing",
    "stale",
    "invalid",
    "excluded",
    "computed_at",
    "framework",
    "config_status",
)
ACTION_FIELDS = (
    "action_id",
    "about",
    "org",
    "system",
    "level",
    "card_id",
    "status",
    "overdue",
    "due_at",
)


def subject_key(p: OpelPayload) -> str:
    return f"orgs/{p.org}" if p.org is not None else f"systems/{p.system}"


class OpelSection:
    key = "opel"
    event_types: tuple[EventType[Any], ...] = (
        OPEL_CALCULATED,
        OPEL_LEVEL_CHANGED,
        OPEL_DECLARED,
        OPEL_DIVERGED,
        ACTION_ISSUED,
        ACTION_ACKNOWLEDGED,
        ACTION_ESCALATED,
        ACTION_COMPLETED,
        ACTION_SUPERSEDED,
    )

    def __init__(self) -> None:
        self.calculated: dict[str, OpelCalculated] = {}
        self.declared: dict[str, OpelDeclared] = {}
        self.actions: dict[str, ActionChanged] = {}  # open ones only

    def apply(self, event_type: EventType[Any], payload: EventPayload) -> None:
        if isinstance(payload, OpelCalculated):
            _keep_newer(self.calculated, payload, "computed_at")
        elif isinstance(payload, OpelDeclared):
            _keep_newer(self.declared, payload, "declared_at")
        elif isinstance(payload, ActionChanged):
            self._apply_action(payload)
        # A level change or a divergence is already in the calculated and declared
        # levels shown; their frames are for the board's feed.

    def _apply_action(self, action: ActionChanged) -> None:
        key = str(action.action_id)
        held = self.actions.get(key)
        if held is not None and action.changed_at < held.changed_at:
            return  # a replay of an older change
        if action.status in OPEN:
            self.actions[key] = action
        else:
            self.actions.pop(key, None)

    def state(self) -> dict[str, Any]:
        return {
            "calculated": dumped(self.calculated),
            "declared": dumped(self.declared),
            "actions": dumped(self.actions),
        }

    def restore(self, state: dict[str, Any]) -> None:
        self.calculated = restored(state.get("calculated", {}), OpelCalculated)
        self.declared = restored(state.get("declared", {}), OpelDeclared)
        self.actions = restored(state.get("actions", {}), ActionChanged)

    def view(self, now: datetime) -> dict[str, Any]:
        if not (self.calculated or self.declared or self.actions):
            return {}  # absent until there is OPEL data: the board keeps its shape
        keys = sorted(
            {*self.calculated, *self.declared, *map(_action_subject, self.actions.values())}
        )
        actions = sorted(self.actions.values(), key=lambda a: (a.due_at, str(a.action_id)))
        return {
            "opel": {
                "subjects": [self._subject(key, now) for key in keys],
                "actions": [_action_view(a, now) for a in actions],
            }
        }

    def next_stale_at(self, now: datetime) -> datetime | None:
        """When the next open action turns overdue (the snapshot must say so then)."""
        due = [
            a.due_at
            for a in self.actions.values()
            if a.status == "issued" and not a.overdue and a.due_at >= now
        ]
        return min(due, default=None)

    def _subject(self, key: str, now: datetime) -> dict[str, Any]:
        calculated = self.calculated.get(key)
        declared = self.declared.get(key)
        about, code = key.split("/", 1)
        mine = [a for a in self.actions.values() if _action_subject(a) == key]
        some = calculated or declared
        return {
            "about": "organisation" if about == "orgs" else "system",
            "org": code if about == "orgs" else None,
            "system": some.system if some else mine[0].system,
            "calculated": _calculated_view(calculated) if calculated else None,
            "declared": _declared_view(declared) if declared else None,
            "open_actions": len(mine),
            "overdue_actions": sum(_overdue(a, now) for a in mine),
        }


def _keep_newer(held: dict[str, Any], payload: OpelPayload, moment: str) -> None:
    key = subject_key(payload)
    current = held.get(key)
    if current is None or getattr(payload, moment) >= getattr(current, moment):
        held[key] = payload


def _action_subject(action: ActionChanged) -> str:
    return subject_key(action)


def _overdue(action: ActionChanged, now: datetime) -> bool:
    return action.status == "issued" and (action.overdue or now >= action.due_at)


def _calculated_view(calculated: OpelCalculated) -> dict[str, Any]:
    dumped_ = calculated.model_dump(mode="json", include=set(CALCULATED_FIELDS))
    return {name: dumped_[name] for name in CALCULATED_FIELDS}


def _declared_view(declared: OpelDeclared) -> dict[str, Any]:
    return declared.model_dump(
        mode="json", include={"level", "previous_level", "declared_at", "declaration_id"}
    )


def _action_view(action: ActionChanged, now: datetime) -> dict[str, Any]:
    shown = action.model_dump(mode="json", include=set(ACTION_FIELDS))
    return {**shown, "overdue": _overdue(action, now)}
