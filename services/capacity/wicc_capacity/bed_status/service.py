"""Bed-level status (HL7 v2 table 0116): one bed at a time, the unit's counts follow.

Every write locks the unit's `bed_state` row first (the same lock unit-level reports
take), then changes the bed and recounts the unit from all of its beds in the same
transaction. So concurrent writes to one unit are serialised, the unit's figures
always equal the count of its bed rows, and a bed is never counted twice.
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.bed_status import events, repository
from wicc_capacity.bed_status.counting import by_status, unit_figures
from wicc_capacity.bed_status.models import BedStatus
from wicc_capacity.bed_status.schemas import (
    BedLevelEnded,
    BedRead,
    BedRetired,
    BedStatusRead,
    BedStatusUpdate,
)
from wicc_capacity.beds import repository as beds_repository
from wicc_capacity.beds.schemas import BedStateRead
from wicc_capacity.beds.service import record_figures, to_read, unit_or_404
from wicc_capacity.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.auth import Principal, ensure_can_write
from wicc_shared.catalogue.beds import BED_STATUS_UPDATED, BedStatusCode
from wicc_shared.errors import NotFound, StaleUpdate, ValidationFailed
from wicc_shared.kernel.models import Organisation
from wicc_shared.pagination import Page, PageParams
from wicc_shared.rules.staleness import age_seconds


async def update_bed_status(
    session: AsyncSession,
    principal: Principal,
    unit_id: str,
    bed_id: str,
    update: BedStatusUpdate,
    *,
    now: datetime,
    max_skew: timedelta,
) -> BedStatusRead:
    place = await unit_or_404(session, unit_id)
    org = place[2]
    ensure_can_write(principal, org)
    if errors := update.problems(now, max_skew):
        raise ValidationFailed(errors)

    state = await beds_repository.lock_bed_state(session, unit_id)
    bed = await repository.bed_status(session, unit_id, bed_id)
    if bed is not None and update.as_of <= bed.as_of:
        if update.as_of == bed.as_of and _same(bed, update):
            counts, _ = await repository.bed_status_counts(session, unit_id)
            return _read(bed, to_read(state, place, now), counts, now)  # a retry
        raise StaleUpdate(
            f"A status for bed {bed_id!r} at {bed.as_of.isoformat()} is already recorded; "
            "older or conflicting reports do not overwrite it.",
            current_as_of=bed.as_of.isoformat(),
        )

    before = _bed_snapshot(bed)
    bed = _apply(bed, unit_id, bed_id, update, principal, now)
    session.add(bed)
    await _record_bed(session, principal, bed, org, before)
    counts, newest = await repository.bed_status_counts(session, unit_id)
    # The unit's figure describes the moment of its newest bed report: every other
    # bed keeps the status it was last reported in until it is reported again.
    unit_read = await record_figures(
        session,
        principal,
        state,
        place,
        unit_figures(counts, principal.key_id),
        as_of=newest or update.as_of,
        now=now,
    )
    return _read(bed, unit_read, counts, now)


async def _record_bed(
    session: AsyncSession,
    principal: Principal,
    bed: BedStatus,
    org: Organisation,
    before: dict[str, Any] | None,
) -> None:
    change = audited_write.Change(
        action=BED_STATUS_UPDATED.name,
        entity_type="bed",
        entity_id=f"{bed.unit_id}/{bed.bed_id}",
        org_ods=org.ods,
        before=before,
        after=_bed_snapshot(bed),
    )
    payload = events.bed_status_updated(bed, org)
    await audited_write.record(
        session, principal, change, audited_write.announce(OUTBOX, BED_STATUS_UPDATED, payload)
    )


async def retire_bed(
    session: AsyncSession, admin: Principal, unit_id: str, bed_id: str, *, now: datetime
) -> BedRetired:
    """Remove one bed (an admin's correction) and recount its unit without it, under the
    unit's lock, as a bed-status write would."""
    place = await unit_or_404(session, unit_id)
    state = await beds_repository.lock_bed_state(session, unit_id)
    removed = await repository.delete_beds(session, unit_id, bed_id)
    if not removed:
        raise NotFound(f"Unit {unit_id!r} has no bed {bed_id!r}.")
    await audited_write.record(
        session, admin, _retirement(place[2], unit_id, removed, whole_unit=False)
    )
    counts, _newest = await repository.bed_status_counts(session, unit_id)
    # The recount is true from now; never older than the recorded figure, which
    # readers would otherwise keep as the newer one.
    as_of = now if _unreadable_or_older(state.as_of, now) else state.as_of
    assert as_of is not None
    unit_read = await record_figures(
        session,
        admin,
        state,
        place,
        unit_figures(counts, admin.key_id),
        as_of=as_of,
        now=now,
    )
    return BedRetired(retired=bed_id, unit=unit_read, beds_by_status=by_status(counts))


async def end_bed_level(session: AsyncSession, admin: Principal, unit_id: str) -> BedLevelEnded:
    """Remove every bed of the unit, so that it reports counts again.

    The unit keeps its current figure (counted from its beds when they were last
    reported) until its first unit-level report, which must be newer; the figure ages
    and turns stale like any other. Recounting zero beds would instead show the unit
    empty, as of now, on every board."""
    place = await unit_or_404(session, unit_id)
    await beds_repository.lock_bed_state(session, unit_id)
    removed = await repository.delete_beds(session, unit_id)
    if removed:
        change = _retirement(place[2], unit_id, removed, whole_unit=True)
        await audited_write.record(session, admin, change)
    return BedLevelEnded(unit_id=unit_id, retired=[bed for bed, _status, _esc in removed])


def _retirement(
    org: Organisation, unit_id: str, removed: list[tuple[str, str, bool]], *, whole_unit: bool
) -> audited_write.Change:
    before = {"beds": [{"bed_id": b, "status": s, "escalation": e} for b, s, e in removed]}
    if whole_unit:
        return audited_write.Change("unit.bed_level_ended", "unit", unit_id, org.ods, before, None)
    entity = f"{unit_id}/{removed[0][0]}"
    return audited_write.Change("bed.retired", "bed", entity, org.ods, before, None)


def _unreadable_or_older(as_of: datetime | None, now: datetime) -> bool:
    # A time stored as -infinity before client times were checked reads back naive.
    return as_of is None or as_of.tzinfo is None or as_of < now


async def list_beds(
    session: AsyncSession, unit_id: str, page: PageParams, now: datetime
) -> Page[BedRead]:
    await unit_or_404(session, unit_id)
    rows, total = await repository.list_bed_statuses(
        session, unit_id, limit=page.limit, offset=page.offset
    )
    return Page(
        items=[_bed_read(b, now) for b in rows], total=total, limit=page.limit, offset=page.offset
    )


def _apply(
    bed: BedStatus | None,
    unit_id: str,
    bed_id: str,
    update: BedStatusUpdate,
    principal: Principal,
    now: datetime,
) -> BedStatus:
    values: dict[str, Any] = {
        "status": update.status.value,
        "escalation": update.escalation,
        "as_of": update.as_of,
        "reported_by": principal.key_id,
        "updated_at": now,
    }
    if bed is None:
        return BedStatus(unit_id=unit_id, bed_id=bed_id, **values)
    for name, value in values.items():
        setattr(bed, name, value)
    return bed


def _same(bed: BedStatus, update: BedStatusUpdate) -> bool:
    return bed.status == update.status.value and bed.escalation == update.escalation


def _bed_snapshot(bed: BedStatus | None) -> dict[str, Any] | None:
    if bed is None:
        return None
    return {"status": bed.status, "escalation": bed.escalation, "as_of": bed.as_of.isoformat()}


def _bed_read(bed: BedStatus, now: datetime) -> BedRead:
    return BedRead(
        unit_id=bed.unit_id,
        bed_id=bed.bed_id,
        status=BedStatusCode(bed.status),
        escalation=bed.escalation,
        as_of=bed.as_of,
        age_seconds=age_seconds(bed.as_of, now),
        reported_by=bed.reported_by,
        updated_at=bed.updated_at,
    )


def _read(
    bed: BedStatus, unit: BedStateRead, counts: dict[tuple[str, bool], int], now: datetime
) -> BedStatusRead:
    return BedStatusRead(bed=_bed_read(bed, now), unit=unit, beds_by_status=by_status(counts))
