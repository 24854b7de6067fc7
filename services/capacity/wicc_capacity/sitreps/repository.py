"""Queries for sitreps, their versions, the live area figures they feed, and who
has reported."""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import and_, delete, exists, func, literal, or_, select
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_capacity.beds.status_models import AreaBeds
from wicc_capacity.sitreps.models import Sitrep, SitrepMissing, SitrepVersion
from wicc_shared.kernel.models import CareSystem, Organisation, Unit

SITREP_SOURCE = "sitrep"
# Two-int4 advisory locks have a key space of their own; this namespace keeps the
# per-organisation sitrep locks apart from every other two-int4 lock.
_ORG_LOCK_NAMESPACE = zlib.crc32(b"wicc-sitrep-org") - 2**31


def org_lock_id(ods: str) -> int:
    return zlib.crc32(ods.encode()) - 2**31


async def lock_org(session: AsyncSession, ods: str) -> None:
    """Serialise sitrep writes for one organisation until the transaction ends.

    Every write (POST, PUT, each CSV row) takes this lock before touching the
    sitrep and the area figures, and a CSV file is processed in lock order, so two
    writers can never hold rows the other one needs (no deadlock between them).
    """
    await session.execute(select(func.pg_advisory_xact_lock(_ORG_LOCK_NAMESPACE, org_lock_id(ods))))


async def active_org(session: AsyncSession, ods: str) -> tuple[Organisation, CareSystem] | None:
    row = (
        await session.execute(
            select(Organisation, CareSystem)
            .join(CareSystem, col(CareSystem.code) == col(Organisation.system_code))
            .where(col(Organisation.ods) == ods, col(Organisation.active))
        )
    ).first()
    return None if row is None else (row[0], row[1])


async def care_system(session: AsyncSession, code: str) -> CareSystem | None:
    return await session.get(CareSystem, code)


async def care_systems(session: AsyncSession) -> Sequence[CareSystem]:
    return (
        (await session.execute(select(CareSystem).order_by(col(CareSystem.code)))).scalars().all()
    )


async def insert_sitrep(session: AsyncSession, sitrep: Sitrep) -> bool:
    """Insert unless the organisation already has a sitrep for the date.

    ON CONFLICT makes a concurrent second submission wait for the first to commit
    and then insert nothing, instead of failing on the unique constraint.
    """
    values = sitrep.model_dump()
    inserted = await session.execute(
        insert(Sitrep)
        .values(**values)
        .on_conflict_do_nothing(index_elements=["org_ods", "sitrep_date"])
        .returning(col(Sitrep.id))
    )
    return inserted.scalar_one_or_none() is not None


async def get_sitrep(
    session: AsyncSession, org: str, date: dt.date, *, for_update: bool = False
) -> Sitrep | None:
    query = select(Sitrep).where(col(Sitrep.org_ods) == org, col(Sitrep.sitrep_date) == date)
    if for_update:
        query = query.with_for_update()
    return (
        await session.execute(query.execution_options(populate_existing=True))
    ).scalar_one_or_none()


async def list_versions(
    session: AsyncSession, sitrep_id: uuid.UUID, *, limit: int, offset: int
) -> tuple[Sequence[SitrepVersion], int]:
    where = col(SitrepVersion.sitrep_id) == sitrep_id
    total = await session.scalar(select(func.count()).select_from(SitrepVersion).where(where))
    versions = (
        (
            await session.execute(
                select(SitrepVersion)
                .where(where)
                .order_by(col(SitrepVersion.version))
                .limit(limit)
                .offset(offset)
            )
        )
        .scalars()
        .all()
    )
    return versions, int(total or 0)


async def update_area_beds(
    session: AsyncSession,
    org: str,
    as_of: dt.datetime,
    areas: Sequence[dict[str, Any]],
    reported_by: str,
) -> None:
    """Make the sitrep's areas the live area figures where they are not older.

    A newer `as_of` always wins. At an equal `as_of` only a sitrep replaces a
    sitrep's figure: that is an amendment of the same day's report. Areas that an
    amendment no longer reports are dropped when the dropped figure came from that
    same day's sitrep.
    """
    rows = [
        dict(
            org_ods=org,
            bed_area=a["bed_area"],
            core_open=a["core_open"],
            escalation_open=a["escalation_open"],
            occupied=a["core_occupied"] + a["escalation_occupied"],
            as_of=as_of,
            source=SITREP_SOURCE,
            reported_by=reported_by,
        )
        for a in areas
    ]
    stmt = insert(AreaBeds).values(rows)
    stored = AreaBeds.__table__.c  # type: ignore[attr-defined]
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["org_ods", "bed_area"],
            set_={k: stmt.excluded[k] for k in rows[0] if k not in ("org_ods", "bed_area")},
            where=or_(
                stored.as_of < stmt.excluded.as_of,
                and_(stored.as_of == stmt.excluded.as_of, stored.source == SITREP_SOURCE),
            ),
        )
    )
    await session.execute(
        delete(AreaBeds).where(
            col(AreaBeds.org_ods) == org,
            col(AreaBeds.as_of) == as_of,
            col(AreaBeds.source) == SITREP_SOURCE,
            col(AreaBeds.bed_area).not_in([r["bed_area"] for r in rows]),
        )
    )


@dataclass(frozen=True)
class ReportingRow:
    org: Organisation
    sitrep: Sitrep | None


def _holds_beds() -> Any:
    return exists().where(col(Unit.org_ods) == col(Organisation.ods), col(Unit.active))


def _has_sitrep(date: dt.date) -> Any:
    return exists().where(
        col(Sitrep.org_ods) == col(Organisation.ods), col(Sitrep.sitrep_date) == date
    )


async def reporting_rows(session: AsyncSession, system: str, date: dt.date) -> list[ReportingRow]:
    """Organisations of the system that must report (active, with at least one active
    unit), plus any other active one that did report, each with its sitrep for the date."""
    rows = (
        await session.execute(
            select(Organisation, Sitrep)
            .outerjoin(
                Sitrep,
                and_(col(Sitrep.org_ods) == col(Organisation.ods), col(Sitrep.sitrep_date) == date),
            )
            .where(
                col(Organisation.system_code) == system,
                col(Organisation.active),
                or_(_holds_beds(), col(Sitrep.id).is_not(None)),
            )
            .order_by(col(Organisation.ods))
        )
    ).all()
    return [ReportingRow(org=row[0], sitrep=row[1]) for row in rows]


async def mark_missing(
    session: AsyncSession, system: str, date: dt.date, now: dt.datetime
) -> list[Organisation]:
    """Record every organisation of the system that must report and has not, unless
    already recorded; return the newly recorded ones.

    One INSERT .. SELECT .. ON CONFLICT DO NOTHING: when two workers race, each row
    is inserted (and so announced) by exactly one of them.
    """
    candidates = select(col(Organisation.ods), literal(date), literal(now)).where(
        col(Organisation.system_code) == system,
        col(Organisation.active),
        _holds_beds(),
        ~_has_sitrep(date),
    )
    inserted = await session.execute(
        insert(SitrepMissing)
        .from_select(["org_ods", "sitrep_date", "announced_at"], candidates)
        .on_conflict_do_nothing(index_elements=["org_ods", "sitrep_date"])
        .returning(col(SitrepMissing.org_ods))
    )
    ods = list(inserted.scalars().all())
    if not ods:
        return []
    orgs = await session.execute(
        select(Organisation).where(col(Organisation.ods).in_(ods)).order_by(col(Organisation.ods))
    )
    return list(orgs.scalars().all())
