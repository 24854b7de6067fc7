"""Accepting a unit's bed figures: validate, order by `as_of`, record, announce."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.beds import repository
from wicc_capacity.beds.models import BedState
from wicc_capacity.beds.schemas import BedStateRead, BedStateUpdate, ClosedBeds
from wicc_capacity.tables import OUTBOX
from wicc_shared.audit import audit_values
from wicc_shared.auth import Principal, ensure_can_write
from wicc_shared.errors import Conflict, NotFound, StaleUpdate, ValidationFailed
from wicc_shared.kernel.models import Organisation, Site, Unit

BEDS_UPDATED = "beds.updated"


class BedLevelUnit(Conflict):
    """A unit-level report for a unit whose figures are counted from its beds."""

    slug, title = "bed-level-unit", "This unit reports bed by bed"


async def update_beds(
    session: AsyncSession,
    principal: Principal,
    unit_id: str,
    update: BedStateUpdate,
    *,
    now: datetime,
    max_skew: timedelta,
) -> BedStateRead:
    unit, site, org = await unit_or_404(session, unit_id)
    ensure_can_write(principal, org)
    if errors := update.problems(now, max_skew):
        raise ValidationFailed(errors)

    state = await repository.lock_bed_state(session, unit_id)
    # Checked under the unit's lock, which bed-status writes take too, so a unit
    # can never take figures from both sources.
    if await repository.has_bed_rows(session, unit_id):
        raise BedLevelUnit(
            f"Unit {unit_id!r} reports bed by bed; its figures are counted from its beds. "
            f"Send bed status to /capacity/v1/units/{unit_id}/bed-status/{{bed_id}} instead."
        )
    figures = _figures(update, principal)
    if state.as_of is not None and update.as_of <= state.as_of:
        if update.as_of == state.as_of and _same(state, figures):
            return to_read(state, unit, site, org, now)  # a retry: nothing to do
        raise StaleUpdate(
            f"A figure for {state.as_of.isoformat()} is already recorded; "
            "older or conflicting reports do not overwrite it.",
            current_as_of=state.as_of.isoformat(),
        )
    return await record_figures(
        session, principal, state, (unit, site, org), figures, as_of=update.as_of, now=now
    )


async def record_figures(
    session: AsyncSession,
    principal: Principal,
    state: BedState,
    place: tuple[Unit, Site, Organisation],
    figures: dict[str, Any],
    *,
    as_of: datetime,
    now: datetime,
) -> BedStateRead:
    """Make `figures` the unit's current ones (the caller holds the unit's lock): keep
    the history row, audit the change and announce it, all in the caller's transaction."""
    unit, site, org = place
    before = _snapshot(state)
    changes = {**figures, "as_of": as_of, "updated_at": now, "version": state.version + 1}
    # Shown on `state` first: the audit entry and the event describe the new figures.
    # Should the write fail, the request's rollback expires `state` anyway.
    repository.show_as_stored(state, changes)
    read = to_read(state, unit, site, org, now)
    audit = audit_values(
        principal,
        action=BEDS_UPDATED,
        entity_type="unit",
        entity_id=unit.id,
        org_ods=org.ods,
        before=before,
        after=_snapshot(state),
    )
    _event, event = OUTBOX.prepare(
        session, BEDS_UPDATED, subject=f"units/{unit.id}", data=event_data(read, org)
    )
    await repository.record_bed_figures(session, unit.id, changes, audit=audit, event=event)
    return read


async def unit_or_404(session: AsyncSession, unit_id: str) -> tuple[Unit, Site, Organisation]:
    found = await repository.unit_with_org(session, unit_id)
    if found is None:
        raise NotFound(f"Unit {unit_id!r} is not in the reference data.")
    return found


async def get_beds(session: AsyncSession, unit_id: str, now: datetime) -> BedStateRead:
    unit, site, org = await unit_or_404(session, unit_id)
    state = await repository.current_bed_state(session, unit_id) or BedState(unit_id=unit_id)
    return to_read(state, unit, site, org, now)


def _figures(update: BedStateUpdate, principal: Principal) -> dict[str, Any]:
    return {
        "core_open": update.core_open,
        "escalation_open": update.escalation_open,
        "occupied": update.occupied,
        "closed": [c.model_dump(mode="json") for c in update.closed],
        "reported_by": principal.key_id,
    }


def _same(state: BedState, figures: dict[str, Any]) -> bool:
    keys = ("core_open", "escalation_open", "occupied", "closed")
    return all(getattr(state, k) == figures[k] for k in keys)


def _snapshot(state: BedState) -> dict[str, Any]:
    return {
        "core_open": state.core_open,
        "escalation_open": state.escalation_open,
        "occupied": state.occupied,
        "closed": state.closed,
        "as_of": state.as_of.isoformat() if state.as_of else None,
    }


def to_read(
    state: BedState, unit: Unit, site: Site, org: Organisation, now: datetime
) -> BedStateRead:
    closed = [ClosedBeds.model_validate(c) for c in state.closed]
    return BedStateRead(
        unit_id=unit.id,
        org=org.ods,
        site=site.code,
        bed_area=unit.bed_area,
        **bed_figures(state.core_open, state.escalation_open, state.occupied, closed),
        as_of=state.as_of,
        age_seconds=(now - state.as_of).total_seconds() if state.as_of else None,
        reported_by=state.reported_by,
        updated_at=state.updated_at,
        version=state.version,
    )


def occupancy_pct(occupied: int, open_total: int) -> float | None:
    """Occupied / open as a percentage to one decimal; None when no bed is open."""
    return round(100 * occupied / open_total, 1) if open_total else None


def bed_figures(
    core_open: int, escalation_open: int, occupied: int, closed: list[ClosedBeds]
) -> dict[str, Any]:
    """The reported counts with everything derived from them, as every read shows them."""
    open_total = core_open + escalation_open
    return {
        "core_open": core_open,
        "escalation_open": escalation_open,
        "open": open_total,
        "occupied": occupied,
        "available": open_total - occupied,
        "occupancy_pct": occupancy_pct(occupied, open_total),
        "closed": closed,
        "closed_total": sum(c.count for c in closed),
    }


def event_data(read: BedStateRead, org: Organisation) -> dict[str, Any]:
    """The board-safe payload of `beds.updated`: the unit's whole current figure."""
    data = read.model_dump(mode="json", exclude={"age_seconds"})
    data.update(system=org.system_code, locality=org.locality_code)
    return data


def utcnow() -> datetime:
    return datetime.now(UTC)
