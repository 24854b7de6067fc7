"""Bed-level status (HL7 v2 table 0116): one bed at a time, the unit's counts follow.

Every write locks the unit's `bed_state` row first (the same lock unit-level reports
take), then changes the bed and recounts the unit from all of its beds in the same
transaction. So concurrent writes to one unit are serialised, the unit's figures
always equal the count of its bed rows, and a bed is never counted twice.
"""

from __future__ import annotations

from collections import Counter
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field, field_validator
from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.beds import repository
from wicc_capacity.beds.schemas import BedStateRead, ClosureReason
from wicc_capacity.beds.service import record_figures, to_read, unit_or_404
from wicc_capacity.beds.status_models import BedStatus
from wicc_shared.audit import record_audit
from wicc_shared.auth import Principal, ensure_can_write
from wicc_shared.errors import FieldError, StaleUpdate, ValidationFailed
from wicc_shared.pagination import Page, PageParams

BED_STATUS_UPDATED = "bed-status.updated"
BED_ID_PATTERN = r"^[A-Za-z0-9][A-Za-z0-9 _.-]*$"
BED_ID_MAX = 60


class BedStatusCode(StrEnum):
    """HL7 v2 table 0116 (bed status)."""

    closed = "C"
    housekeeping = "H"
    isolated = "I"
    contaminated = "K"
    occupied = "O"
    unoccupied = "U"


# How a bed counts in its unit's figures. Open beds are O, U and H; `available`
# (= open - occupied) must mean "can take a patient now", so a bed waiting to be
# cleaned (H) counts as occupied. Closed beds carry the unit-level closure reason.
OPEN_STATUSES = frozenset(
    {BedStatusCode.occupied, BedStatusCode.unoccupied, BedStatusCode.housekeeping}
)
UNAVAILABLE_STATUSES = frozenset({BedStatusCode.occupied, BedStatusCode.housekeeping})
CLOSURE_REASONS = {
    BedStatusCode.isolated: ClosureReason.infection_control,
    BedStatusCode.contaminated: ClosureReason.infection_control,
    BedStatusCode.closed: ClosureReason.other,
}


class BedStatusUpdate(BaseModel):
    """One bed's status at `as_of`."""

    model_config = ConfigDict(
        extra="forbid",
        json_schema_extra={
            "examples": [{"status": "O", "escalation": False, "as_of": "2026-11-22T08:00:00Z"}]
        },
    )

    status: BedStatusCode = Field(
        description="HL7 v2-0116: C closed, H housekeeping, I isolated, K contaminated, "
        "O occupied, U unoccupied"
    )
    escalation: bool = Field(
        default=False, description="True for a temporary (escalation) bed, false for core stock"
    )
    as_of: AwareDatetime = Field(description="The moment the status describes (with offset)")

    @field_validator("as_of")
    @classmethod
    def _in_utc(cls, value: datetime) -> datetime:
        # Stored, compared and echoed in UTC whatever offset the sender used.
        return value.astimezone(UTC)

    def problems(self, now: datetime, max_skew: timedelta) -> list[FieldError]:
        if self.as_of > now + max_skew:
            return [FieldError("as_of", "as_of is in the future", code="future_as_of")]
        return []


class BedRead(BaseModel):
    unit_id: str
    bed_id: str
    status: BedStatusCode
    escalation: bool
    as_of: datetime
    age_seconds: float = Field(description="Seconds between as_of and this response")
    reported_by: str
    updated_at: datetime


class BedStatusRead(BaseModel):
    """The bed as recorded, and its unit's figures recounted from all its beds."""

    bed: BedRead
    unit: BedStateRead
    beds_by_status: dict[str, int] = Field(
        description="The unit's beds by HL7 status code (the detail behind the unit figures)"
    )


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
    unit, site, org = await unit_or_404(session, unit_id)
    ensure_can_write(principal, org)
    if errors := update.problems(now, max_skew):
        raise ValidationFailed(errors)

    state = await repository.lock_bed_state(session, unit_id)
    bed = await repository.bed_status(session, unit_id, bed_id)
    if bed is not None and update.as_of <= bed.as_of:
        if update.as_of == bed.as_of and _same(bed, update):
            counts, _ = await repository.bed_status_counts(session, unit_id)
            return _read(bed, to_read(state, unit, site, org, now), counts, now)  # a retry
        raise StaleUpdate(
            f"A status for bed {bed_id!r} at {bed.as_of.isoformat()} is already recorded; "
            "older or conflicting reports do not overwrite it.",
            current_as_of=bed.as_of.isoformat(),
        )

    before = _bed_snapshot(bed)
    bed = _apply(bed, unit_id, bed_id, update, principal, now)
    session.add(bed)
    await session.flush()
    await record_audit(
        session,
        principal,
        action=BED_STATUS_UPDATED,
        entity_type="bed",
        entity_id=f"{unit_id}/{bed_id}",
        org_ods=org.ods,
        before=before,
        after=_bed_snapshot(bed),
    )
    counts, newest = await repository.bed_status_counts(session, unit_id)
    # The unit's figure describes the moment of its newest bed report: every other
    # bed keeps the status it was last reported in until it is reported again.
    unit_read = await record_figures(
        session,
        principal,
        state,
        (unit, site, org),
        unit_figures(counts, principal.key_id),
        as_of=newest or update.as_of,
        now=now,
    )
    return _read(bed, unit_read, counts, now)


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


def unit_figures(counts: dict[tuple[str, bool], int], reported_by: str) -> dict[str, Any]:
    """A unit's figures from its beds counted by (status, escalation)."""
    core_open = escalation_open = occupied = 0
    closed: Counter[ClosureReason] = Counter()
    for (code, escalation), n in counts.items():
        status = BedStatusCode(code)
        if status in OPEN_STATUSES:
            if escalation:
                escalation_open += n
            else:
                core_open += n
            if status in UNAVAILABLE_STATUSES:
                occupied += n
        else:
            closed[CLOSURE_REASONS[status]] += n
    return {
        "core_open": core_open,
        "escalation_open": escalation_open,
        "occupied": occupied,
        # In the reason order of the unit-level schema, so equal counts compare equal.
        "closed": [{"reason": r.value, "count": closed[r]} for r in ClosureReason if closed[r]],
        "reported_by": reported_by,
    }


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
        age_seconds=(now - bed.as_of).total_seconds(),
        reported_by=bed.reported_by,
        updated_at=bed.updated_at,
    )


def _read(
    bed: BedStatus, unit: BedStateRead, counts: dict[tuple[str, bool], int], now: datetime
) -> BedStatusRead:
    by_status: Counter[str] = Counter()
    for (code, _escalation), n in counts.items():
        by_status[code] += n
    return BedStatusRead(
        bed=_bed_read(bed, now),
        unit=unit,
        beds_by_status={s.value: by_status[s.value] for s in BedStatusCode},
    )
