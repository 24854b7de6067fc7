"""Actions: issued and superseded by declarations (the rules are opel/actions.py),
acknowledged and completed by people, re-escalated when overdue. Every change is one
audited write with its event; the note stays out of events."""

from __future__ import annotations

import logging
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_escalation.actions import events, repository
from wicc_escalation.actions.models import Action
from wicc_escalation.actions.repository import ActionFilter
from wicc_escalation.actions.schemas import ActionRead, Completion, OwnerRead
from wicc_escalation.declarations.models import Declaration
from wicc_escalation.opel.actions import (
    ActionStatus,
    ActionToIssue,
    actions_for_declaration,
    is_overdue,
    newly_overdue,
    superseded_by,
)
from wicc_escalation.opel.cards import ActionCards, CardKind
from wicc_escalation.opel.models import ORGANISATION
from wicc_escalation.permissions import ActionScope, may_handle_action
from wicc_escalation.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.auth import Principal
from wicc_shared.catalogue.base import EventType
from wicc_shared.catalogue.opel import (
    ACTION_ACKNOWLEDGED,
    ACTION_COMPLETED,
    ACTION_ESCALATED,
    ACTION_ISSUED,
    ACTION_SUPERSEDED,
    ActionChanged,
)
from wicc_shared.errors import Conflict, Forbidden, NotFound
from wicc_shared.pagination import Page, PageParams
from wicc_shared.runtime import Runtime

logger = logging.getLogger(__name__)
OVERDUE_JOB = audited_write.SystemActor("action-overdue")
OVERDUE_BATCH = 500


class ActionClosed(Conflict):
    slug, title = "action-closed", "The action is closed"


@dataclass(frozen=True, slots=True)
class ActionView:
    """An action row as the pure rules read it."""

    id: str
    level: int
    status: str
    due_at: datetime
    overdue_raised: bool


def _view(action: Action) -> ActionView:
    return ActionView(
        str(action.id), action.level, action.status, action.due_at, action.overdue_raised
    )


# -- declarations -----------------------------------------------------------------------


async def on_declaration(
    session: AsyncSession,
    principal: Principal,
    declaration: Declaration,
    cards: tuple[ActionCards, CardKind],
    now: datetime,
) -> tuple[list[Action], list[Action]]:
    """Supersede the open actions above the declared level; issue the cards of every
    level stepped up through. Returns (issued, superseded)."""
    open_now = await repository.open_actions(session, declaration.about, declaration.code)
    closing = set(superseded_by([_view(a) for a in open_now], declaration.level))
    superseded = [a for a in open_now if str(a.id) in closing]
    for action in superseded:
        before = _snapshot(action)
        action.status = ActionStatus.superseded.value
        action.superseded_at, action.superseded_by = now, declaration.id
        await _announce(session, principal, action, before, ACTION_SUPERSEDED, now)
    action_cards, kind = cards
    issued = [
        _new_action(declaration, item)
        for item in actions_for_declaration(
            action_cards, kind, declaration.code, declaration.previous_level, declaration.level, now
        )
    ]
    for action in issued:
        session.add(action)
        await _announce(session, principal, action, None, ACTION_ISSUED, now)
    return issued, superseded


def _new_action(declaration: Declaration, item: ActionToIssue) -> Action:
    return Action(
        declaration_id=declaration.id,
        about=declaration.about,
        code=declaration.code,
        system_code=declaration.system_code,
        kind=item.kind.value,
        level=item.level,
        card_id=item.card_id,
        title=item.title,
        owner_role=item.owner.role,
        owner_organisation=item.owner.organisation,
        owner_kind=item.owner.organisation_kind.value if item.owner.organisation_kind else None,
        status=ActionStatus.issued.value,
        issued_at=item.issued_at,
        due_at=item.due_at,
    )


# -- people acting on an action ---------------------------------------------------------


async def acknowledge(
    session: AsyncSession, principal: Principal, action_id: uuid.UUID, now: datetime
) -> ActionRead:
    action = await _allowed(session, principal, action_id)
    if action.status == ActionStatus.acknowledged.value:
        return to_read(action, now)  # a retry: already done
    if action.status != ActionStatus.issued.value:
        raise _closed(action)
    before = _snapshot(action)
    action.status = ActionStatus.acknowledged.value
    action.acknowledged_at, action.acknowledged_by = now, principal.key_id
    await _announce(session, principal, action, before, ACTION_ACKNOWLEDGED, now)
    return to_read(action, now)


async def complete(
    session: AsyncSession,
    principal: Principal,
    action_id: uuid.UUID,
    body: Completion,
    now: datetime,
) -> ActionRead:
    action = await _allowed(session, principal, action_id)
    if action.status == ActionStatus.completed.value:
        return to_read(action, now)  # a retry: already done (the first note stands)
    if action.status == ActionStatus.superseded.value:
        raise _closed(action)
    before = _snapshot(action)
    action.status = ActionStatus.completed.value
    action.completed_at, action.completed_by, action.note = now, principal.key_id, body.note
    await _announce(session, principal, action, before, ACTION_COMPLETED, now, note=body.note)
    return to_read(action, now)


async def _allowed(session: AsyncSession, principal: Principal, action_id: uuid.UUID) -> Action:
    action = await repository.get(session, action_id, lock=True)
    if action is None:
        raise NotFound(f"No action {action_id}.")
    scope = ActionScope(
        org=action.code if action.about == ORGANISATION else None,
        system=action.system_code,
        owner_organisation=action.owner_organisation,
        owner_kind=action.owner_kind,
    )
    own_org = await repository.organisation(session, principal.org_ods)
    if not may_handle_action(principal, scope, own_org):
        raise Forbidden(
            f"Role '{principal.role}' with this key's scope may not act on actions of "
            f"{action.code}: a writing key of the declaring organisation, of the owner or "
            "of the system is needed."
        )
    return action


def _closed(action: Action) -> ActionClosed:
    return ActionClosed(
        f"Action {action.id} is {action.status}; it can no longer be acknowledged or completed.",
        action_status=action.status,
    )


# -- overdue ----------------------------------------------------------------------------


async def escalate_overdue_now(runtime: Runtime) -> int:
    """The scheduled job: re-escalate every action not acknowledged by its due time."""
    async with runtime.transaction() as session:
        escalated = await escalate_overdue(session, runtime.clock())
    if escalated:
        logger.info("actions overdue: re-escalated", extra={"count": escalated})
    return escalated


async def escalate_overdue(session: AsyncSession, now: datetime) -> int:
    rows = await repository.newly_due(session, now, OVERDUE_BATCH)
    due = set(newly_overdue([_view(a) for a in rows], now))
    escalated = [a for a in rows if str(a.id) in due]
    for action in escalated:
        before = _snapshot(action)
        action.overdue_raised, action.escalated_at = True, now
        await _announce(session, OVERDUE_JOB, action, before, ACTION_ESCALATED, now)
    return len(escalated)


# -- reading ----------------------------------------------------------------------------


async def list_actions(
    session: AsyncSession, where: ActionFilter, page: PageParams, now: datetime
) -> Page[ActionRead]:
    rows, total = await repository.page_of(session, where, page)
    return Page(
        items=[to_read(a, now) for a in rows], total=total, limit=page.limit, offset=page.offset
    )


def to_read(action: Action, now: datetime) -> ActionRead:
    view = _view(action)
    return ActionRead(
        id=str(action.id),
        declaration_id=str(action.declaration_id),
        about=action.about,
        org=action.code if action.about == ORGANISATION else None,
        system=action.system_code,
        kind=action.kind,
        level=action.level,
        card_id=action.card_id,
        title=action.title,
        owner=OwnerRead(
            role=action.owner_role,
            organisation=action.owner_organisation,
            organisation_kind=action.owner_kind,
        ),
        status=action.status,
        overdue=is_overdue(view, now) or (view.status == "issued" and view.overdue_raised),
        escalated_at=action.escalated_at,
        issued_at=action.issued_at,
        due_at=action.due_at,
        due_in_seconds=(action.due_at - now).total_seconds(),
        acknowledged_at=action.acknowledged_at,
        acknowledged_by=action.acknowledged_by,
        completed_at=action.completed_at,
        completed_by=action.completed_by,
        note=action.note,
        superseded_at=action.superseded_at,
        superseded_by=str(action.superseded_by) if action.superseded_by else None,
    )


def reads(actions: Sequence[Action], now: datetime) -> list[ActionRead]:
    return [to_read(a, now) for a in actions]


# -- recording --------------------------------------------------------------------------


def _snapshot(action: Action) -> dict[str, Any]:
    return {"status": action.status, "overdue": action.overdue_raised}


async def _announce(
    session: AsyncSession,
    actor: audited_write.Actor,
    action: Action,
    before: dict[str, Any] | None,
    event_type: EventType[ActionChanged],
    now: datetime,
    *,
    note: str | None = None,
) -> None:
    after = _snapshot(action) | {"level": action.level, "card_id": action.card_id}
    if note is not None:
        after["note"] = note  # the audit log keeps it; the event does not
    change = audited_write.Change(
        action=event_type.name,
        entity_type="opel_action",
        entity_id=str(action.id),
        org_ods=action.code if action.about == ORGANISATION else None,
        before=before,
        after=after,
    )
    payload = events.action_changed(action, now, actor.key_id)
    await audited_write.record(
        session, actor, change, audited_write.announce(OUTBOX, event_type, payload)
    )
