"""Declaring an OPEL level for an organisation or a system: authorise, keep the
declaration, supersede and issue actions, start or end a divergence episode, announce.

The subject's state row is locked first (as every calculation of it does), so a
declaration and a calculation of one subject never interleave.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_escalation.actions import service as actions
from wicc_escalation.declarations import events, repository
from wicc_escalation.declarations.models import Declaration
from wicc_escalation.declarations.schemas import (
    DeclarationCreate,
    DeclarationRead,
    DeclarationResult,
)
from wicc_escalation.opel import repository as opel_repository
from wicc_escalation.opel import service as opel
from wicc_escalation.opel.cards import CardKind
from wicc_escalation.opel.models import ORGANISATION, SYSTEM, OpelState
from wicc_escalation.opel.setup import OpelSetup, SystemOpel, card_kind
from wicc_escalation.permissions import may_declare_for_org, may_declare_for_system
from wicc_escalation.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.auth import Principal
from wicc_shared.catalogue.opel import OPEL_DECLARED
from wicc_shared.errors import FieldError, Forbidden, ValidationFailed
from wicc_shared.pagination import Page, PageParams
from wicc_shared.rules.staleness import age_seconds


async def declare_for_org(
    session: AsyncSession,
    setup: OpelSetup,
    principal: Principal,
    ods: str,
    body: DeclarationCreate,
    now: datetime,
) -> DeclarationResult:
    org, system, pillar = await opel.scored_or_404(session, setup, ods)
    if not may_declare_for_org(principal, org):
        raise Forbidden(
            f"Only a coordinator covering {org.ods}, or {org.ods}'s own key, may declare its "
            f"level (this key: role '{principal.role}')."
        )
    state = await opel_repository.lock_state(
        session, ORGANISATION, org.ods, system.code, pillar.value
    )
    return await _declare(session, principal, (state, system, card_kind(pillar)), body, now)


async def declare_for_system(
    session: AsyncSession,
    setup: OpelSetup,
    principal: Principal,
    code: str,
    body: DeclarationCreate,
    now: datetime,
) -> DeclarationResult:
    system = await opel.system_or_404(session, setup, code)
    if not may_declare_for_system(principal, code):
        raise Forbidden(
            f"Only a coordinator scoped to the system {code!r} may declare its level "
            f"(this key: role '{principal.role}')."
        )
    state = await opel_repository.lock_state(session, SYSTEM, code, code)
    return await _declare(session, principal, (state, system, CardKind.system), body, now)


async def _declare(
    session: AsyncSession,
    principal: Principal,
    subject: tuple[OpelState, SystemOpel, CardKind],
    body: DeclarationCreate,
    now: datetime,
) -> DeclarationResult:
    state, system, kind = subject
    declaration = Declaration(
        about=state.about,
        code=state.code,
        system_code=state.system_code,
        level=body.level,
        previous_level=state.declared_level,
        calculated_level=state.level,
        reason=body.reason,
        declared_by=principal.key_id,
        declared_role=principal.audit_role,
        declared_at=now,
    )
    session.add(declaration)
    state.declared_at, state.declaration_id = now, declaration.id
    change = audited_write.Change(
        action=OPEL_DECLARED.name,
        entity_type="opel_declaration",
        entity_id=str(declaration.id),
        org_ods=state.code if state.about == ORGANISATION else None,
        before={"level": declaration.previous_level},
        after={"level": body.level, "reason": body.reason},
    )
    announced = audited_write.announce(OUTBOX, OPEL_DECLARED, events.declared(declaration))
    await audited_write.record(session, principal, change, announced)
    issued, superseded = await actions.on_declaration(
        session, principal, declaration, (system.cards, kind), now
    )
    await opel.redeclare(session, state, system, body.level, now)
    return DeclarationResult(
        **to_read(declaration, now).model_dump(),
        actions_issued=actions.reads(issued, now),
        actions_superseded=[str(a.id) for a in superseded],
    )


async def org_history(
    session: AsyncSession,
    setup: OpelSetup,
    ods: str,
    period: tuple[datetime | None, datetime | None],
    page: PageParams,
    now: datetime,
) -> Page[DeclarationRead]:
    await opel.scored_or_404(session, setup, ods)
    return await _history(session, (ORGANISATION, ods), period, page, now)


async def system_history(
    session: AsyncSession,
    setup: OpelSetup,
    code: str,
    period: tuple[datetime | None, datetime | None],
    page: PageParams,
    now: datetime,
) -> Page[DeclarationRead]:
    await opel.system_or_404(session, setup, code)
    return await _history(session, (SYSTEM, code), period, page, now)


async def _history(
    session: AsyncSession,
    subject: tuple[str, str],
    period: tuple[datetime | None, datetime | None],
    page: PageParams,
    now: datetime,
) -> Page[DeclarationRead]:
    since, until = period
    if since is not None and until is not None and until <= since:
        raise ValidationFailed([FieldError("to", "must be after `from`", "query")])
    rows, total = await repository.page_of(session, *subject, period, page)
    return Page(
        items=[to_read(d, now) for d in rows], total=total, limit=page.limit, offset=page.offset
    )


def to_read(declaration: Declaration, now: datetime) -> DeclarationRead:
    return DeclarationRead(
        id=str(declaration.id),
        about=declaration.about,
        org=declaration.code if declaration.about == ORGANISATION else None,
        system=declaration.system_code,
        level=declaration.level,
        previous_level=declaration.previous_level,
        calculated_level=declaration.calculated_level,
        reason=declaration.reason,
        declared_at=declaration.declared_at,
        declared_by=declaration.declared_by,
        declared_role=declaration.declared_role,
        age_seconds=age_seconds(declaration.declared_at, now),
    )
