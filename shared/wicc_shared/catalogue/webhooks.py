"""Webhook events: an endpoint tested on request, and an endpoint disabled.

Both are about one webhook endpoint and are scoped like the endpoint's owner (the
organisation or care system of the key that created it; none for an admin's), so only
endpoints allowed to read that owner's events ever receive them. Neither carries the
endpoint's URL (it may hold a partner's token) or its secret.
"""

from __future__ import annotations

import datetime as dt
import uuid
from enum import StrEnum

from pydantic import Field

from wicc_shared.catalogue.base import EventPayload, EventScope, EventType


class EndpointOwned(EventPayload):
    """A payload about one webhook endpoint, scoped like the endpoint's owner."""

    endpoint_id: uuid.UUID
    owner_org: str | None = Field(description="ODS code of the owner; null for an admin's")
    owner_system: str | None = Field(description="Care system of the owner; null for an admin's")

    def scope(self) -> EventScope:
        return EventScope(org=self.owner_org, system=self.owner_system)


class WebhookTested(EndpointOwned):
    """A test callback asked for (`POST .../{id}/test`). It is delivered to that endpoint
    only, whatever event types it subscribes to."""

    requested_at: dt.datetime


class DisabledReason(StrEnum):
    gone = "gone"  # the receiver answered 410 Gone
    failing = "failing"  # every attempt failed for 5 days running
    requested = "requested"  # its owner or an admin disabled it


class WebhookEndpointDisabled(EndpointOwned):
    """An endpoint stopped receiving callbacks."""

    reason: DisabledReason
    status_code: int | None = Field(description="The receiver's answer that caused it, if any")
    failing_since: dt.datetime | None = Field(
        description="Start of the run of failures without a success, if any"
    )
    disabled_at: dt.datetime


def _endpoint_subject(p: EndpointOwned) -> str:
    return f"webhook_endpoints/{p.endpoint_id}"


WEBHOOK_TESTED = EventType(
    name="webhook.tested",
    payload=WebhookTested,
    version=1,
    summary="A test callback was requested for a webhook endpoint (sent to it alone)",
    producer="flow",
    subject=_endpoint_subject,
    subject_pattern="webhook_endpoints/{endpoint_id}",
)
WEBHOOK_ENDPOINT_DISABLED = EventType(
    name="webhook_endpoint.disabled",
    payload=WebhookEndpointDisabled,
    version=1,
    summary="A webhook endpoint was disabled (410 Gone, 5 days failing, or on request)",
    producer="flow",
    subject=_endpoint_subject,
    subject_pattern="webhook_endpoints/{endpoint_id}",
)
