"""The webhook events flow announces, built from its endpoints."""

from __future__ import annotations

from datetime import datetime

from wicc_flow.webhooks.endpoints.models import WebhookEndpoint
from wicc_shared.catalogue.webhooks import (
    DisabledReason,
    WebhookEndpointDisabled,
    WebhookTested,
)


def tested(endpoint: WebhookEndpoint, now: datetime) -> WebhookTested:
    return WebhookTested(
        endpoint_id=endpoint.id,
        owner_org=endpoint.owner_org,
        owner_system=endpoint.owner_system,
        requested_at=now,
    )


def disabled(
    endpoint: WebhookEndpoint, reason: DisabledReason, now: datetime, status_code: int | None
) -> WebhookEndpointDisabled:
    return WebhookEndpointDisabled(
        endpoint_id=endpoint.id,
        owner_org=endpoint.owner_org,
        owner_system=endpoint.owner_system,
        reason=reason,
        status_code=status_code,
        failing_since=endpoint.failing_since,
        disabled_at=now,
    )
