"""Events for tests of the event spine itself (not of any capability)."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from wicc_shared.catalogue import BEDS_UPDATED, CARE_CAPACITY_UPDATED
from wicc_shared.catalogue.base import EventPayload, EventScope, EventType
from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.catalogue.care import CareCapacityUpdated, CareFiguresRow
from wicc_shared.events.envelope import Event
from wicc_shared.kernel.reference import CareServiceType


class Happened(EventPayload):
    n: int

    def scope(self) -> EventScope:
        return EventScope(org=None, system=None)


HAPPENED = EventType(
    name="test.happened",
    payload=Happened,
    version=1,
    summary="Something numbered happened (tests only)",
    producer="tests",
    subject=lambda p: f"things/{p.n}",
    subject_pattern="things/{n}",
)


def happened(n: int, type_: str = HAPPENED.name) -> Event:
    return Event(
        type=type_,
        source="/tests",
        subject=f"things/{n}",
        dataschema=HAPPENED.dataschema,
        data={"n": n},
    )


def event_of(event_type: EventType[Any], payload: EventPayload) -> Event:
    """The event a producer would write for `payload`."""
    return Event(
        type=event_type.name,
        source=f"/{event_type.producer}",
        subject=event_type.subject(payload),
        dataschema=event_type.dataschema,
        data=payload.model_dump(mode="json"),
    )


def beds_updated(
    unit_id: str = "RNZ-AMU",
    org: str = "RNZ",
    *,
    open_: int = 20,
    occupied: int = 18,
    escalation_open: int = 1,
    closed_total: int = 2,
    as_of: datetime | str = "2026-11-22T08:00:00Z",
    system: str = "wiltshire",
    **overrides: Any,
) -> Event:
    """A `beds.updated` event with every field set; override any by keyword."""
    moment = datetime.fromisoformat(as_of) if isinstance(as_of, str) else as_of
    fields: dict[str, Any] = dict(
        unit_id=unit_id,
        org=org,
        site=f"{org}01",
        bed_area="adult_ga",
        core_open=open_ - escalation_open,
        escalation_open=escalation_open,
        open=open_,
        occupied=occupied,
        available=open_ - occupied,
        occupancy_pct=round(100 * occupied / open_, 1) if open_ else None,
        closed=[{"reason": "staffing", "count": closed_total}] if closed_total else [],
        closed_total=closed_total,
        as_of=moment,
        reported_by="tests",
        updated_at=moment,
        version=1,
        system=system,
        locality=None,
    )
    fields.update(overrides)
    return event_of(BEDS_UPDATED, BedsUpdated(**fields))


def care_capacity_updated(
    provider: str,
    service_type: str,
    localities: list[str],
    figures: list[dict[str, Any]],
    *,
    as_of: datetime,
    hours: float = 24.0,
    version: int = 1,
    system: str = "wiltshire",
) -> Event:
    payload = CareCapacityUpdated(
        provider=provider,
        provider_name=f"{provider} (test)",
        service_type=CareServiceType(service_type),
        localities=localities,
        as_of=as_of,
        fresh_until=as_of + timedelta(hours=hours),
        freshness_hours=hours,
        version=version,
        figures=[CareFiguresRow(**row) for row in figures],
        system=system,
    )
    return event_of(CARE_CAPACITY_UPDATED, payload)


def dom_care_updated(
    provider: str,
    localities: list[str],
    *,
    starts: int,
    spare: float,
    as_of: datetime,
    hours: float = 24.0,
    version: int = 1,
) -> Event:
    """A home-care provider's `care_capacity.updated`."""
    figures = [{"category": None, "package_starts_per_day": starts, "spare_hours_per_week": spare}]
    return care_capacity_updated(
        provider, "dom_care", localities, figures, as_of=as_of, hours=hours, version=version
    )
