"""Every query of the discharge-ready list (and the reference rows it is checked against)."""

from __future__ import annotations

import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from sqlalchemy import DateTime, Row, Select, bindparam, func, insert, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_flow.patients.models import Patient
from wicc_shared import audited_write
from wicc_shared.kernel.models import CareSystem, Locality, Organisation, Unit
from wicc_shared.kernel.reference_cache import cached_reference
from wicc_shared.pagination import PageParams, fetch_page

# Two-int4 advisory locks have a key space of their own; this namespace keeps the
# per-organisation patient locks apart from every other two-int4 lock.
_ORG_LOCK_NAMESPACE = zlib.crc32(b"wicc-patients-org") - 2**31
_LOCK_ORG = select(func.pg_advisory_xact_lock(bindparam("namespace"), bindparam("id")))
_ACTIVE_ORG = (
    select(Organisation, CareSystem)
    .join(CareSystem, col(CareSystem.code) == col(Organisation.system_code))
    .where(col(Organisation.ods) == bindparam("ods"), col(Organisation.active))
)


# What the counting rules read of a record (`conversion.to_stay`): selected as plain
# columns, because loading ORM objects costs more than the counting on every write.
_STAY = select(
    col(Patient.id),
    col(Patient.org_ods),
    col(Patient.unit_id),
    col(Patient.destination_locality),
    col(Patient.pathway),
    col(Patient.admitted_at),
    col(Patient.discharge_ready_date),
    col(Patient.expected_discharge_date),
    col(Patient.discharged_at),
    col(Patient.withdrawn_at),
    col(Patient.delays),
)
StayRow = Row[*tuple[Any, ...]]


@dataclass(frozen=True)
class PatientFilters:
    """A list's filters; `reasons` holds the codes a `reason` filter matches (a national
    code matches its local sub-codes too)."""

    org: str | None = None
    system: str | None = None
    unit_id: str | None = None
    pathway: int | None = None
    locality: str | None = None
    reasons: tuple[str, ...] | None = None
    status: str | None = None
    # Days from the DRD to today (or to the day the record closed), at least this many,
    # with "today" at `now` in each record's system time zone.
    min_delay_days: int | None = None
    now: datetime | None = None


def org_lock_id(ods: str) -> int:
    return zlib.crc32(ods.encode()) - 2**31


async def lock_org(session: AsyncSession, ods: str) -> None:
    """Serialise the patient writes of one organisation until the transaction ends, so
    the discharge sitrep each write recounts is always the latest."""
    await session.execute(_LOCK_ORG, {"namespace": _ORG_LOCK_NAMESPACE, "id": org_lock_id(ods)})


async def active_org(session: AsyncSession, ods: str) -> tuple[Organisation, CareSystem] | None:
    """The active organisation and its care system (cached briefly: reference_cache)."""
    return await cached_reference(session, "flow_active_org", ods, _load_active_org)


async def _load_active_org(
    session: AsyncSession, ods: str
) -> tuple[Organisation, CareSystem] | None:
    row = (await session.execute(_ACTIVE_ORG, {"ods": ods})).first()
    return None if row is None else (row[0], row[1])


async def care_system(session: AsyncSession, code: str) -> CareSystem | None:
    return await session.get(CareSystem, code)


async def care_systems(session: AsyncSession) -> Sequence[CareSystem]:
    return (await session.execute(select(CareSystem))).scalars().all()


async def unit_ids(session: AsyncSession, ods: str) -> frozenset[str]:
    units = await cached_reference(session, "flow_org_units", ods, _load_units)
    return frozenset(u.id for u in units or ())


async def _load_units(session: AsyncSession, ods: str) -> tuple[Unit, ...] | None:
    rows = await session.execute(
        select(Unit).where(col(Unit.org_ods) == ods, col(Unit.active)).order_by(col(Unit.id))
    )
    return tuple(rows.scalars().all())


async def locality_codes(session: AsyncSession, system: str) -> frozenset[str]:
    rows = await cached_reference(session, "flow_localities", system, _load_localities)
    return frozenset(row.code for row in rows or ())


async def _load_localities(session: AsyncSession, system: str) -> tuple[Locality, ...] | None:
    rows = await session.execute(
        select(Locality).where(col(Locality.system_code) == system).order_by(col(Locality.code))
    )
    return tuple(rows.scalars().all())


async def get(session: AsyncSession, patient_id: uuid.UUID) -> Patient | None:
    query = select(Patient).where(col(Patient.id) == patient_id)
    found = await session.execute(query.execution_options(populate_existing=True))
    return found.scalar_one_or_none()


async def by_local_ref(session: AsyncSession, org: str, local_ref: str) -> Patient | None:
    query = select(Patient).where(col(Patient.org_ods) == org, col(Patient.local_ref) == local_ref)
    return (await session.execute(query)).scalar_one_or_none()


async def open_by_nhs_index(session: AsyncSession, org: str, index: str) -> Patient | None:
    query = select(Patient).where(
        col(Patient.org_ods) == org,
        col(Patient.nhs_number_index) == index,
        col(Patient.status) == "ready",
    )
    return (await session.execute(query)).scalar_one_or_none()


async def org_records(session: AsyncSession, org: str) -> list[Patient]:
    """Every record of an organisation (an import matches rows against them)."""
    query = select(Patient).where(col(Patient.org_ods) == org)
    return list((await session.execute(query)).scalars().all())


async def list_page(
    session: AsyncSession, filters: PatientFilters, page: PageParams
) -> tuple[list[Patient], int]:
    query = _filtered(select(Patient), filters).order_by(
        col(Patient.discharge_ready_date), col(Patient.org_ods), col(Patient.local_ref)
    )
    return await fetch_page(session, query, page)


def _filtered(query: Select[Any], f: PatientFilters) -> Select[Any]:
    conditions = [
        column == value
        for column, value in (
            (col(Patient.org_ods), f.org),
            (col(Patient.system_code), f.system),
            (col(Patient.unit_id), f.unit_id),
            (col(Patient.pathway), f.pathway),
            (col(Patient.destination_locality), f.locality),
            (col(Patient.status), f.status),
        )
        if value is not None
    ]
    if f.reasons is not None:
        # JSONB containment: some delay of the record has one of the codes.
        delays = col(Patient.delays)
        conditions.append(or_(*(delays.contains([{"reason": code}]) for code in f.reasons)))
    if f.min_delay_days is not None and f.now is not None:
        conditions.append(_days_since_ready(f.now) >= f.min_delay_days)
    return query.where(*conditions)


def _days_since_ready(now: datetime) -> Any:
    """Days from the DRD to the day the record closed, or to today, each a calendar day
    in the record's system time zone."""
    zone = (
        select(col(CareSystem.timezone))
        .where(col(CareSystem.code) == col(Patient.system_code))
        .scalar_subquery()
    )
    closed_day = func.date(func.timezone(zone, col(Patient.closed_at)))
    today = func.date(func.timezone(zone, bindparam("list_now", now, DateTime(timezone=True))))
    return func.coalesce(closed_day, today) - col(Patient.discharge_ready_date)


async def stays_for_day(
    session: AsyncSession, org: str, day: date, day_start: datetime
) -> Sequence[StayRow]:
    """The records the discharge sitrep of `org` for `day` can count: ready by `day`
    and not closed before it began (`day_start`, its midnight in UTC)."""
    query = _STAY.where(
        col(Patient.org_ods) == org,
        col(Patient.discharge_ready_date) <= day,
        or_(col(Patient.closed_at).is_(None), col(Patient.closed_at) >= day_start),
    )
    return (await session.execute(query)).all()


async def system_stays(
    session: AsyncSession, system: str, last_day: date, first_start: datetime
) -> Sequence[StayRow]:
    """The records of a system that can lose days between `first_start` (the first day's
    midnight in UTC) and `last_day`."""
    query = _STAY.where(
        col(Patient.system_code) == system,
        col(Patient.discharge_ready_date) <= last_day,
        or_(col(Patient.closed_at).is_(None), col(Patient.closed_at) >= first_start),
    )
    return (await session.execute(query)).all()


async def open_records(session: AsyncSession, system: str) -> Sequence[StayRow]:
    query = _STAY.where(col(Patient.system_code) == system, col(Patient.status) == "ready")
    return (await session.execute(query)).all()


async def record_reads(
    session: AsyncSession, actor: audited_write.Actor, changes: Sequence[audited_write.Change]
) -> None:
    """Audit entries (no events) for reads of records holding an NHS number: one
    statement for a whole page."""
    if changes:
        rows = [audited_write.audit_values(actor, change) for change in changes]
        await session.execute(insert(audited_write.AUDIT), rows)
