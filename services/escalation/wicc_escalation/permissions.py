"""Who may declare a level and who may act on an action (pure: no I/O).

- An organisation's level is declared by a `coordinator` whose scope covers it (a
  system-scoped coordinator covers every organisation of its system), or by the
  organisation's own key (any writing role scoped to that organisation), or an admin.
- A system's level is declared by a `coordinator` scoped to that system, or an admin.
- An action is acknowledged or completed by a writing key whose scope covers the
  declaring organisation or the system, or belongs to the action's owner (the named
  organisation, or an organisation of the owning kind in the same system).
- A `viewer` never does any of these.
"""

from __future__ import annotations

from dataclasses import dataclass

from wicc_shared.auth import WRITE_ROLES, Principal, Role
from wicc_shared.kernel.models import Organisation


def may_declare_for_org(principal: Principal, org: Organisation) -> bool:
    if principal.role not in WRITE_ROLES:
        return False
    if principal.is_admin:
        return True
    if principal.role is Role.coordinator:
        return principal.covers(org)
    return principal.org_ods == org.ods


def may_declare_for_system(principal: Principal, system: str) -> bool:
    if principal.is_admin:
        return True
    return principal.role is Role.coordinator and principal.system_code == system


@dataclass(frozen=True, slots=True)
class ActionScope:
    """Whose business an action is."""

    org: str | None  # the declaring organisation; None for a system's action
    system: str
    owner_organisation: str | None
    owner_kind: str | None


def may_handle_action(
    principal: Principal, action: ActionScope, own_org: Organisation | None
) -> bool:
    """`own_org` is the organisation the key is scoped to, if any."""
    if principal.role not in WRITE_ROLES:
        return False
    if principal.is_admin or principal.system_code == action.system:
        return True
    if own_org is None:
        return False
    if own_org.ods in (action.org, action.owner_organisation):
        return True
    return own_org.system_code == action.system and own_org.kind == action.owner_kind
