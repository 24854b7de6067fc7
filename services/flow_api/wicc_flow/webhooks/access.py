"""Who may manage an endpoint, and which events an endpoint may receive.

An endpoint belongs to the scope of the key that created it (its *owner*): an
organisation (with its care system), a care system, or nobody in particular for an
admin's. That scope, not the endpoint's own filter, decides what it may receive, so a
trust's endpoint never receives another trust's events, whatever its filter says:

- an organisation's endpoint receives events about that organisation, and events about
  its care system as a whole (no organisation); never another organisation's;
- a care system's endpoint receives events about that system and its organisations;
- an admin's endpoint receives every event.

Events about nothing in particular (no organisation, no system) reach admins' endpoints
only. Pure: no I/O.
"""

from __future__ import annotations

from dataclasses import dataclass

from wicc_shared.auth import Principal, Role
from wicc_shared.catalogue.base import EventScope

MANAGING_ROLES = frozenset({Role.admin, Role.integration})


@dataclass(frozen=True, slots=True)
class Owner:
    """The scope an endpoint belongs to. `org` implies `system` (the org's own)."""

    org: str | None = None
    system: str | None = None

    def __post_init__(self) -> None:
        if self.org is not None and self.system is None:
            raise ValueError("an organisation's endpoint also names its care system")

    @property
    def is_admin(self) -> bool:
        return self.org is None and self.system is None


def may_receive(owner: Owner, event: EventScope) -> bool:
    """Whether an endpoint of `owner` may be sent an event about `event`."""
    if owner.is_admin:
        return True
    if owner.org is not None:
        if event.org is not None:
            return event.org == owner.org
        return event.system is not None and event.system == owner.system
    return event.system is not None and event.system == owner.system


def may_manage(principal: Principal, owner: Owner) -> bool:
    """Admins manage every endpoint; an integration key its own scope's."""
    if principal.is_admin:
        return True
    if principal.role is not Role.integration:
        return False
    if principal.org_ods is not None:
        return owner.org == principal.org_ods
    return principal.system_code is not None and owner.system == principal.system_code


def owner_of(principal: Principal, org_system: str | None) -> Owner:
    """The owner of an endpoint `principal` creates; `org_system` is the care system of
    the key's organisation (for an organisation's key)."""
    if principal.is_admin:
        return Owner()
    if principal.org_ods is not None:
        return Owner(org=principal.org_ods, system=org_system)
    return Owner(system=principal.system_code)
