"""Webhook endpoints: create, read, change, delete, rotate the secret, send a test.

Only admins and `integration` keys manage endpoints; an integration key sees and changes
only the endpoints of its own scope (`access.may_manage`), and others' are not found.
Every change is audited; a test and a disabling are also announced as events.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.tables import OUTBOX
from wicc_flow.webhooks.access import MANAGING_ROLES, Owner, may_manage, owner_of
from wicc_flow.webhooks.config import WebhookConfig
from wicc_flow.webhooks.deliveries import repository as deliveries
from wicc_flow.webhooks.endpoints import checks, events, repository
from wicc_flow.webhooks.endpoints.models import WebhookEndpoint
from wicc_flow.webhooks.endpoints.schemas import (
    EndpointCreate,
    EndpointRead,
    EndpointUpdate,
    PingRequested,
    SecretRotated,
)
from wicc_flow.webhooks.endpoints.schemas import Owner as OwnerRead
from wicc_flow.webhooks.signing import WebhookSecret, new_secret
from wicc_shared import audited_write
from wicc_shared.audited_write import Actor
from wicc_shared.auth import Principal
from wicc_shared.catalogue import WEBHOOK_ENDPOINT_DISABLED, WEBHOOK_TESTED
from wicc_shared.catalogue.webhooks import DisabledReason, WebhookEndpointDisabled
from wicc_shared.errors import Conflict, FieldError, Forbidden, NotFound, ValidationFailed
from wicc_shared.pagination import Page, PageParams

ENTITY = "webhook_endpoint"
SUBSCRIPTION_FIELDS = frozenset({"url", "event_types", "org", "system"})
NOT_NULL = ("url", "event_types", "enabled", "max_in_flight")


class EndpointDisabled(Conflict):
    slug, title = "endpoint-disabled", "The webhook endpoint is disabled"


@dataclass(frozen=True)
class Created:
    read: EndpointRead
    secret: WebhookSecret


def ensure_may_manage_webhooks(principal: Principal) -> None:
    if principal.role not in MANAGING_ROLES:
        raise Forbidden("Only admin and integration keys manage webhook endpoints.")


async def managed(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, *, for_update: bool = False
) -> WebhookEndpoint:
    """The endpoint, when `principal` manages it; otherwise 404 (not 403, so a key cannot
    learn which ids exist outside its scope)."""
    ensure_may_manage_webhooks(principal)
    endpoint = await repository.get(session, endpoint_id, for_update=for_update)
    if endpoint is None or not may_manage(principal, owner(endpoint)):
        raise NotFound(f"No webhook endpoint {endpoint_id}.")
    return endpoint


def owner(endpoint: WebhookEndpoint) -> Owner:
    return Owner(org=endpoint.owner_org, system=endpoint.owner_system)


async def create(
    session: AsyncSession,
    principal: Principal,
    body: EndpointCreate,
    config: WebhookConfig,
    *,
    now: datetime,
) -> Created:
    ensure_may_manage_webhooks(principal)
    endpoint_owner = await _owner_for(session, principal)
    wanted = checks.Subscription(body.url, tuple(body.event_types), body.org, body.system)
    sub = await checks.checked(session, endpoint_owner, config, wanted, SUBSCRIPTION_FIELDS)
    secret = new_secret()
    endpoint = WebhookEndpoint(
        url=sub.url,
        event_types=list(sub.event_types),
        org_ods=sub.org,
        system_code=sub.system,
        description=body.description,
        enabled=body.enabled,
        max_in_flight=body.max_in_flight,
        owner_org=endpoint_owner.org,
        owner_system=endpoint_owner.system,
        secret=config.box.seal(secret),
        created_by=principal.key_id,
        created_at=now,
        updated_at=now,
        disabled_reason=None if body.enabled else DisabledReason.requested.value,
        disabled_at=None if body.enabled else now,
    )
    session.add(endpoint)
    read = to_read(endpoint)
    await audited_write.record(session, principal, _change(endpoint, "created", None, read))
    return Created(read=read, secret=secret)


async def _owner_for(session: AsyncSession, principal: Principal) -> Owner:
    if principal.org_ods is None:
        return owner_of(principal, None)
    org = await repository.organisation(session, principal.org_ods)
    return owner_of(principal, org.system_code if org else None)


async def list_for(
    session: AsyncSession, principal: Principal, page: PageParams
) -> Page[EndpointRead]:
    ensure_may_manage_webhooks(principal)
    endpoints, total = await repository.page_for(session, principal, page)
    items = [to_read(e) for e in endpoints]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


async def get(session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID) -> EndpointRead:
    return to_read(await managed(session, principal, endpoint_id))


async def update(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    body: EndpointUpdate,
    config: WebhookConfig,
    *,
    now: datetime,
) -> EndpointRead:
    endpoint = await managed(session, principal, endpoint_id, for_update=True)
    changed = body.model_fields_set
    if nulls := [name for name in NOT_NULL if name in changed and getattr(body, name) is None]:
        raise ValidationFailed([FieldError(name, "may not be null", code="null") for name in nulls])
    wanted = checks.Subscription(
        url=body.url if body.url is not None else endpoint.url,
        event_types=tuple(body.event_types or endpoint.event_types),
        org=body.org if "org" in changed else endpoint.org_ods,
        system=body.system if "system" in changed else endpoint.system_code,
    )
    sub = await checks.checked(session, owner(endpoint), config, wanted, changed)
    before = to_read(endpoint)
    endpoint.url, endpoint.event_types = sub.url, list(sub.event_types)
    endpoint.org_ods, endpoint.system_code = sub.org, sub.system
    if "description" in changed:
        endpoint.description = body.description
    if body.max_in_flight is not None:
        endpoint.max_in_flight = body.max_in_flight
    endpoint.updated_at = now
    announcement = await _switch(session, endpoint, body.enabled, now)
    after = to_read(endpoint)
    change = _change(endpoint, "updated", before, after)
    await audited_write.record(session, principal, change, announcement)
    return after


async def _switch(
    session: AsyncSession, endpoint: WebhookEndpoint, enabled: bool | None, now: datetime
) -> audited_write.Announcement[WebhookEndpointDisabled] | None:
    """Enable or disable on request; the announcement of a disabling, if any."""
    if enabled is None or enabled == endpoint.enabled:
        return None
    if enabled:
        # A fresh start: what happened before it was disabled no longer counts.
        endpoint.enabled, endpoint.disabled_reason, endpoint.disabled_at = True, None, None
        endpoint.failing_since = endpoint.paused_until = None
        return None
    return await disable(session, endpoint, DisabledReason.requested, now)


async def disable(
    session: AsyncSession,
    endpoint: WebhookEndpoint,
    reason: DisabledReason,
    now: datetime,
    status_code: int | None = None,
) -> audited_write.Announcement[WebhookEndpointDisabled]:
    """Stop sending to `endpoint`: its waiting deliveries fail (they can be retried or
    replayed once it is enabled again). Returns the event to record with the change."""
    payload = events.disabled(endpoint, reason, now, status_code)
    endpoint.enabled = False
    endpoint.disabled_reason, endpoint.disabled_at = reason.value, now
    endpoint.updated_at = now
    await session.flush()
    await deliveries.fail_waiting(session, [endpoint.id], reason=f"endpoint_{reason.value}")
    return audited_write.announce(OUTBOX, WEBHOOK_ENDPOINT_DISABLED, payload)


async def record_disabled(
    session: AsyncSession,
    actor: Actor,
    endpoint: WebhookEndpoint,
    reason: DisabledReason,
    now: datetime,
    status_code: int | None,
) -> None:
    """The dispatcher's disabling (410 Gone, or 5 days failing), audited and announced."""
    before = to_read(endpoint)
    announcement = await disable(session, endpoint, reason, now, status_code)
    change = _change(endpoint, "disabled", before, to_read(endpoint))
    await audited_write.record(session, actor, change, announcement)


async def delete(session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID) -> None:
    endpoint = await managed(session, principal, endpoint_id, for_update=True)
    before = to_read(endpoint)
    await repository.delete(session, endpoint)
    await audited_write.record(session, principal, _change(endpoint, "deleted", before, None))


async def rotate_secret(
    session: AsyncSession,
    principal: Principal,
    endpoint_id: uuid.UUID,
    config: WebhookConfig,
    *,
    now: datetime,
) -> SecretRotated:
    """A new secret; the current one keeps signing for the overlap. A secret still in
    its overlap from an earlier rotation is retired at once (only two ever sign)."""
    endpoint = await managed(session, principal, endpoint_id, for_update=True)
    before = to_read(endpoint)
    secret = new_secret()
    until = now + config.rotation_overlap
    endpoint.previous_secret, endpoint.previous_secret_until = endpoint.secret, until
    endpoint.secret = config.box.seal(secret)
    endpoint.secret_rotated_at = endpoint.updated_at = now
    after = to_read(endpoint)
    change = _change(endpoint, "secret_rotated", before, after)
    await audited_write.record(session, principal, change)
    return SecretRotated(endpoint=after, secret=secret.reveal(), previous_secret_until=until)


async def request_test(
    session: AsyncSession, principal: Principal, endpoint_id: uuid.UUID, *, now: datetime
) -> PingRequested:
    """Announce a `webhook.tested` event, which the dispatcher sends to this endpoint
    alone: the test goes the whole way a real event goes."""
    endpoint = await managed(session, principal, endpoint_id)
    if not endpoint.enabled:
        raise EndpointDisabled("Enable the endpoint before testing it.")
    payload = events.tested(endpoint, now)
    change = audited_write.Change(
        WEBHOOK_TESTED.name, ENTITY, str(endpoint.id), endpoint.owner_org, None, None
    )
    announcement = audited_write.announce(OUTBOX, WEBHOOK_TESTED, payload)
    event = await audited_write.record(session, principal, change, announcement)
    assert event is not None  # an announced change always has its event
    return PingRequested(event_id=event.id, endpoint_id=endpoint.id, requested_at=now)


def _change(
    endpoint: WebhookEndpoint, verb: str, before: EndpointRead | None, after: EndpointRead | None
) -> audited_write.Change:
    return audited_write.Change(
        action=f"{ENTITY}.{verb}",
        entity_type=ENTITY,
        entity_id=str(endpoint.id),
        org_ods=endpoint.owner_org or endpoint.org_ods,
        before=_snapshot(before),
        after=_snapshot(after),
    )


def _snapshot(read: EndpointRead | None) -> dict[str, Any] | None:
    return None if read is None else read.model_dump(mode="json")


def to_read(endpoint: WebhookEndpoint) -> EndpointRead:
    """Never a secret: those appear only in the responses that issue them."""
    return EndpointRead(
        id=endpoint.id,
        url=endpoint.url,
        event_types=list(endpoint.event_types),
        org=endpoint.org_ods,
        system=endpoint.system_code,
        description=endpoint.description,
        enabled=endpoint.enabled,
        max_in_flight=endpoint.max_in_flight,
        owner=OwnerRead(org=endpoint.owner_org, system=endpoint.owner_system),
        disabled_reason=endpoint.disabled_reason,
        disabled_at=endpoint.disabled_at,
        failing_since=endpoint.failing_since,
        paused_until=endpoint.paused_until,
        secret_rotated_at=endpoint.secret_rotated_at,
        previous_secret_until=endpoint.previous_secret_until,
        created_by=endpoint.created_by,
        created_at=endpoint.created_at,
        updated_at=endpoint.updated_at,
    )
