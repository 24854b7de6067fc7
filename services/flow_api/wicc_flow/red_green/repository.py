"""Queries of red and green days."""

from __future__ import annotations

import uuid
from datetime import date

from sqlalchemy import and_, func, or_, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_flow.patients.models import Patient
from wicc_flow.red_green.models import PatientDay
from wicc_shared.kernel.models import CareSystem


async def get_day(
    session: AsyncSession, patient_id: uuid.UUID, day: date, *, for_update: bool = False
) -> PatientDay | None:
    query = select(PatientDay).where(
        col(PatientDay.patient_id) == patient_id, col(PatientDay.day) == day
    )
    if for_update:
        query = query.with_for_update()
    found = await session.execute(query.execution_options(populate_existing=True))
    return found.scalar_one_or_none()


async def days_of(
    session: AsyncSession, patient_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[list[PatientDay], int]:
    where = col(PatientDay.patient_id) == patient_id
    total = await session.scalar(select(func.count()).select_from(PatientDay).where(where))
    query = select(PatientDay).where(where).order_by(col(PatientDay.day).desc())
    rows = await session.execute(query.limit(limit).offset(offset))
    return list(rows.scalars().all()), int(total or 0)


async def patients_on(
    session: AsyncSession, day: date, *, org: str | None, unit_id: str | None
) -> list[tuple[str, str, str | None, str | None]]:
    """(org, ward, colour, reason) of every record in hospital on `day`: admitted on or
    before it and not closed before it, each a calendar day in its system's zone. The
    ward is the one the day was recorded on, else the record's."""
    zone = (
        select(col(CareSystem.timezone))
        .where(col(CareSystem.code) == col(Patient.system_code))
        .scalar_subquery()
    )
    ward = func.coalesce(col(PatientDay.unit_id), col(Patient.unit_id))
    query = (
        select(col(Patient.org_ods), ward, col(PatientDay.colour), col(PatientDay.reason))
        .select_from(Patient)
        .outerjoin(
            PatientDay,
            and_(col(PatientDay.patient_id) == col(Patient.id), col(PatientDay.day) == day),
        )
        .where(
            func.date(func.timezone(zone, col(Patient.admitted_at))) <= day,
            or_(
                col(Patient.closed_at).is_(None),
                func.date(func.timezone(zone, col(Patient.closed_at))) >= day,
            ),
        )
    )
    if org is not None:
        query = query.where(col(Patient.org_ods) == org)
    if unit_id is not None:
        query = query.where(ward == unit_id)
    return [(r[0], r[1], r[2], r[3]) for r in (await session.execute(query)).all()]
