"""Accepting a unit's bed figures: validate, order by `as_of`, record, announce; and
reading them and their history."""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.beds import events, repository
from wicc_capacity.beds.models import BedState, BedStateHistory
from wicc_capacity.beds.schemas import BedHistoryRead, BedStateRead, BedStateUpdate, ClosedBeds
from wicc_capacity.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.auth import Principal, ensure_can_write
from wicc_shared.catalogue.beds import BEDS_UPDATED
from wicc_shared.errors import Conflict, FieldError, NotFound, StaleUpdate, ValidationFailed
from wicc_shared.kernel.models import Organisation, Site, Unit
from wicc_shared.pagination import Page, PageParams
from wicc_shared.rules.occupancy import derive
from wicc_shared.rules.staleness import age_seconds

Place = tuple[Unit, Site, Organisation]


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
            return to_read(state, (unit, site, org), now)  # a retry: nothing to do
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
    place: Place,
    figures: dict[str, Any],
    *,
    as_of: datetime,
    now: datetime,
) -> BedStateRead:
    """Make `figures` the unit's current ones (the caller holds the unit's lock): keep
    the history row, audit the change and announce it, all in the caller's transaction."""
    unit, _site, org = place
    before = _snapshot(state)
    changes = {**figures, "as_of": as_of, "updated_at": now, "version": state.version + 1}
    # Shown on `state` first: the audit entry and the event describe the new figures.
    # Should the write fail, the request's rollback expires `state` anyway.
    repository.show_as_stored(state, changes)
    read = to_read(state, place, now)
    change = audited_write.Change(
        action=BEDS_UPDATED.name,
        entity_type="unit",
        entity_id=unit.id,
        org_ods=org.ods,
        before=before,
        after=_snapshot(state),
    )
    announcement = audited_write.announce(OUTBOX, BEDS_UPDATED, events.beds_updated(read, org))
    _event, audited = audited_write.prepared(session, principal, change, announcement)
    await repository.record_bed_figures(session, unit.id, changes, audited)
    return read


async def unit_or_404(session: AsyncSession, unit_id: str) -> Place:
    found = await repository.unit_with_org(session, unit_id)
    if found is None:
        raise NotFound(f"Unit {unit_id!r} is not in the reference data.")
    return found


async def get_beds(session: AsyncSession, unit_id: str, now: datetime) -> BedStateRead:
    place = await unit_or_404(session, unit_id)
    state = await repository.current_bed_state(session, unit_id) or BedState(unit_id=unit_id)
    return to_read(state, place, now)


async def unit_history(
    session: AsyncSession,
    unit_id: str,
    *,
    start: datetime | None,
    end: datetime | None,
    page: PageParams,
    now: datetime,
) -> Page[BedHistoryRead]:
    if start is not None and end is not None and start > end:
        raise ValidationFailed(
            [FieldError("from", "from is after to", location="query", code="from_after_to")]
        )
    await unit_or_404(session, unit_id)
    rows, total = await repository.history_page(
        session, unit_id, start=start, end=end, limit=page.limit, offset=page.offset
    )
    items = [_history_read(row, now) for row in rows]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


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


def bed_figures(
    core_open: int, escalation_open: int, occupied: int, closed: list[ClosedBeds]
) -> dict[str, Any]:
    """The reported counts with everything derived from them, as every read shows them."""
    derived = derive(core_open, escalation_open, occupied)
    return {
        "core_open": core_open,
        "escalation_open": escalation_open,
        "open": derived.open,
        "occupied": occupied,
        "available": derived.available,
        "occupancy_pct": derived.occupancy_pct,
        "closed": closed,
        "closed_total": sum(c.count for c in closed),
    }


def to_read(state: BedState, place: Place, now: datetime) -> BedStateRead:
    unit, site, org = place
    closed = [ClosedBeds.model_validate(c) for c in state.closed]
    return BedStateRead(
        unit_id=unit.id,
        org=org.ods,
        site=site.code,
        bed_area=unit.bed_area,
        **bed_figures(state.core_open, state.escalation_open, state.occupied, closed),
        as_of=state.as_of,
        age_seconds=age_seconds(state.as_of, now) if state.as_of else None,
        reported_by=state.reported_by,
        updated_at=state.updated_at,
        version=state.version,
    )


def _history_read(row: BedStateHistory, now: datetime) -> BedHistoryRead:
    closed = [ClosedBeds.model_validate(c) for c in row.closed]
    return BedHistoryRead(
        unit_id=row.unit_id,
        **bed_figures(row.core_open, row.escalation_open, row.occupied, closed),
        as_of=row.as_of,
        age_seconds=age_seconds(row.as_of, now),
        reported_by=row.reported_by,
        recorded_at=row.recorded_at,
    )
