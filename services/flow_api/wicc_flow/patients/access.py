"""Who may read, change and see what of the discharge-ready records.

- `viewer` keys see aggregates only (reports, the sitrep, the board): never a record.
- `coordinator` and `admin` keys read every organisation's records.
- Other keys read and change only the records of organisations their scope covers (an
  organisation-scoped key its own trust; a system-scoped key the trusts of its system).
  A record outside a key's reach is "not found" (404), so a key cannot even learn that
  it exists.
- Changing a record needs a write role whose scope covers its organisation (a
  coordinator reading another trust's record gets 403 when it tries to change it).
- The NHS number is shown only to keys that may change the record: the people who
  keep it. Everyone else sees `has_nhs_number`.
"""

from __future__ import annotations

from wicc_shared.auth import WRITE_ROLES, Principal, Role
from wicc_shared.errors import Forbidden, NotFound
from wicc_shared.kernel.models import Organisation

READ_ALL = frozenset({Role.admin, Role.coordinator})


def ensure_may_see_records(principal: Principal) -> None:
    if principal.role is Role.viewer:
        raise Forbidden(
            "A viewer key sees aggregates only (the discharge sitrep, reports, the board), "
            "never patient records."
        )


def may_read(principal: Principal, org: Organisation) -> bool:
    if principal.role is Role.viewer:
        return False
    return principal.role in READ_ALL or principal.covers(org)


def may_write(principal: Principal, org: Organisation) -> bool:
    return principal.role in WRITE_ROLES and principal.covers(org)


def shows_nhs_number(principal: Principal, org: Organisation) -> bool:
    return may_write(principal, org)


def ensure_readable(principal: Principal, org: Organisation, what: str) -> None:
    """404 (never 403) for a record outside the key's reach: its existence is not told."""
    ensure_may_see_records(principal)
    if not may_read(principal, org):
        raise NotFound(f"No {what} with that id.")


def ensure_writable(principal: Principal, org: Organisation, what: str) -> None:
    ensure_readable(principal, org, what)
    if not may_write(principal, org):
        raise Forbidden(f"This key may read but not change {org.ods}'s {what}s.")


def list_scope(principal: Principal) -> tuple[str | None, str | None]:
    """The (org, system) a key's lists are limited to; (None, None) for all."""
    ensure_may_see_records(principal)
    if principal.role in READ_ALL:
        return None, None
    if principal.org_ods is None and principal.system_code is None:
        raise Forbidden("This key has no scope, so it reaches no patient records.")
    return principal.org_ods, principal.system_code
