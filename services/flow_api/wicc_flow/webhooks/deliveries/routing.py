"""Which endpoints an event goes to, and the delivery row that records it.

An endpoint receives an event when its filter matches (event types, organisation or
system) and its owner may read the event (`access.may_receive`). A `webhook.tested`
event goes to the one endpoint it names, whatever that endpoint subscribes to. Pure:
no I/O.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from functools import lru_cache
from typing import Any

from wicc_flow.webhooks.access import Owner, may_receive
from wicc_flow.webhooks.endpoints.models import WebhookEndpoint
from wicc_flow.webhooks.filters import EndpointFilter, EventFacts
from wicc_flow.webhooks.ordering import DeliveryStatus
from wicc_shared.catalogue import WEBHOOK_TESTED
from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.catalogue.webhooks import WebhookTested
from wicc_shared.events.envelope import Event


@dataclass(frozen=True, slots=True)
class Subscriber:
    """What routing needs of an endpoint (read for every event, so kept small)."""

    id: uuid.UUID
    event_types: tuple[str, ...]
    org: str | None
    system: str | None
    owner: Owner

    @classmethod
    def of(cls, endpoint: WebhookEndpoint) -> Subscriber:
        return cls(
            id=endpoint.id,
            event_types=tuple(endpoint.event_types),
            org=endpoint.org_ods,
            system=endpoint.system_code,
            owner=Owner(org=endpoint.owner_org, system=endpoint.owner_system),
        )


@lru_cache(maxsize=1024)
def _filter(event_types: tuple[str, ...], org: str | None, system: str | None) -> EndpointFilter:
    # Parsed once per distinct subscription, not once per event and endpoint.
    return EndpointFilter(event_types, org, system)


def receives(subscriber: Subscriber, event_type: EventType[Any], payload: EventPayload) -> bool:
    """Whether `subscriber` is sent an event of `event_type` carrying `payload`."""
    if isinstance(payload, WebhookTested) and event_type is WEBHOOK_TESTED:
        return payload.endpoint_id == subscriber.id
    scope = payload.scope()
    subscription = _filter(subscriber.event_types, subscriber.org, subscriber.system)
    # Matched by the type's current name, so entries written under an older name count.
    facts = EventFacts(type=event_type.name, organisation=scope.org, system=scope.system)
    return subscription.matches(facts) and may_receive(subscriber.owner, scope)


def targets(
    subscribers: Iterable[Subscriber], event_type: EventType[Any], payload: EventPayload
) -> list[Subscriber]:
    """The (enabled) endpoints an event goes to."""
    return [s for s in subscribers if receives(s, event_type, payload)]


def delivery_row(
    endpoint_id: uuid.UUID, event: Event, *, now: datetime, origin: str = "event"
) -> dict[str, Any]:
    """A new delivery of `event` (read from the log, so it has its `seq`), due now.

    The body is the envelope without `seq`, as every reader of the catalogue knows it;
    it is stored once and sent, byte for byte, on every attempt.
    """
    if event.seq is None:
        raise ValueError("a delivery is made of an event read from the log")
    return {
        "id": uuid.uuid4(),
        "endpoint_id": endpoint_id,
        "event_id": event.id,
        "event_type": event.type,
        "subject": event.subject,
        "seq": event.seq,
        "body": event.to_json(),
        "origin": origin,
        "status": DeliveryStatus.PENDING.value,
        "attempts": 0,
        "retry_base": 0,
        "next_attempt_at": now,
        "created_at": now,
    }
