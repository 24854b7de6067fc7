"""The action events escalation announces, built from its action rows (no note)."""

from __future__ import annotations

from datetime import datetime

from wicc_escalation.actions.models import Action
from wicc_escalation.opel.models import ORGANISATION
from wicc_shared.catalogue.opel import ActionChanged, OpelAbout


def action_changed(action: Action, changed_at: datetime, changed_by: str) -> ActionChanged:
    return ActionChanged(
        about=OpelAbout(action.about),
        org=action.code if action.about == ORGANISATION else None,
        system=action.system_code,
        action_id=action.id,
        declaration_id=action.declaration_id,
        kind=action.kind,
        level=action.level,
        card_id=action.card_id,
        owner_role=action.owner_role,
        owner_organisation=action.owner_organisation,
        owner_kind=action.owner_kind,
        status=action.status,
        overdue=action.overdue_raised,
        issued_at=action.issued_at,
        due_at=action.due_at,
        changed_at=changed_at,
        changed_by=changed_by,
    )
