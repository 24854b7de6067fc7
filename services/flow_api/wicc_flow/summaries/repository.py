"""Every query of the summaries: the care system's reference data (kernel), the stored
builds, and the daily figures kept for later days."""

from __future__ import annotations

import zlib
from collections import defaultdict
from collections.abc import Sequence
from datetime import date, datetime

from sqlalchemy import delete, func, insert, select
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.orm import defer
from sqlmodel import col

from wicc_flow.summaries.history import Recorded
from wicc_flow.summaries.inputs import OrgRef, Reference, SystemRef
from wicc_flow.summaries.models import Summary, SummaryFigure
from wicc_shared.kernel.models import CareService, CareSystem, Locality, Organisation, Site, Unit
from wicc_shared.pagination import PageParams

# Two-int4 advisory locks have a key space of their own; this namespace keeps the
# per-system-and-day summary locks apart from every other two-int4 lock.
_LOCK_NAMESPACE = zlib.crc32(b"wicc-summary-day") - 2**31


# -- reference data ------------------------------------------------------------------


async def care_system(session: AsyncSession, code: str) -> CareSystem | None:
    return await session.get(CareSystem, code)


async def care_systems(session: AsyncSession) -> Sequence[CareSystem]:
    query = select(CareSystem).order_by(col(CareSystem.code))
    return (await session.execute(query)).scalars().all()


def system_ref(system: CareSystem) -> SystemRef:
    return SystemRef(
        code=system.code,
        name=system.name,
        timezone=system.timezone,
        sitrep_deadline=system.sitrep_deadline,
        summary_time=system.summary_time,
    )


async def reference(session: AsyncSession, system: CareSystem) -> Reference:
    """The system's active organisations (with their active units), localities and
    the care services offered in it."""
    orgs = (
        await session.execute(
            select(Organisation).where(
                col(Organisation.system_code) == system.code, col(Organisation.active)
            )
        )
    ).scalars()
    units = await _active_units(session, system.code)
    return Reference(
        system=system_ref(system),
        organisations=[
            OrgRef(
                ods=org.ods,
                name=org.name,
                kind=org.kind,
                locality=org.locality_code,
                holds_units=org.ods in units,
                ga_units=frozenset(u for u, area in units.get(org.ods, ()) if area == "adult_ga"),
            )
            for org in orgs
        ],
        localities=await _localities(session, system.code),
        care_services=await _care_services(session, system.code),
    )


async def _active_units(session: AsyncSession, system: str) -> dict[str, list[tuple[str, str]]]:
    """(unit id, bed area) of every active unit on an active site, by organisation."""
    rows = await session.execute(
        select(col(Unit.org_ods), col(Unit.id), col(Unit.bed_area))
        .join(Site, col(Site.code) == col(Unit.site_code))
        .join(Organisation, col(Organisation.ods) == col(Unit.org_ods))
        .where(
            col(Organisation.system_code) == system,
            col(Organisation.active),
            col(Site.active),
            col(Unit.active),
        )
    )
    found: dict[str, list[tuple[str, str]]] = defaultdict(list)
    for org, unit, area in rows:
        found[org].append((unit, area))
    return found


async def _localities(session: AsyncSession, system: str) -> list[tuple[str, str]]:
    rows = await session.execute(
        select(col(Locality.code), col(Locality.name))
        .where(col(Locality.system_code) == system)
        .order_by(col(Locality.name))
    )
    return [(code, name) for code, name in rows]


async def _care_services(session: AsyncSession, system: str) -> dict[str, frozenset[str]]:
    rows = await session.execute(
        select(col(CareService.service_type), col(CareService.org_ods))
        .join(Organisation, col(Organisation.ods) == col(CareService.org_ods))
        .where(
            col(Organisation.system_code) == system,
            col(Organisation.active),
            col(CareService.active),
        )
    )
    found: dict[str, set[str]] = defaultdict(set)
    for service_type, org in rows:
        found[service_type].add(org)
    return {service_type: frozenset(orgs) for service_type, orgs in found.items()}


# -- builds ----------------------------------------------------------------------------


async def lock_day(session: AsyncSession, system: str, day: date) -> None:
    """Serialise the builds of one system's day until the transaction ends, so each
    gets the next version."""
    key = zlib.crc32(f"{system}/{day.isoformat()}".encode()) - 2**31
    await session.execute(select(func.pg_advisory_xact_lock(_LOCK_NAMESPACE, key)))


async def latest_version(session: AsyncSession, system: str, day: date) -> int:
    found = await session.scalar(
        select(func.max(col(Summary.version))).where(
            col(Summary.system_code) == system, col(Summary.day) == day
        )
    )
    return int(found or 0)


async def scheduled_build_exists(session: AsyncSession, system: str, day: date) -> bool:
    found = await session.scalar(
        select(col(Summary.id)).where(
            col(Summary.system_code) == system,
            col(Summary.day) == day,
            col(Summary.trigger) == "scheduled",
        )
    )
    return found is not None


async def add(session: AsyncSession, summary: Summary) -> Summary:
    session.add(summary)
    await session.flush()
    return summary


async def get(
    session: AsyncSession, system: str, day: date, version: int | None = None
) -> Summary | None:
    """A version of the day's summary; the latest without `version`."""
    query = select(Summary).where(col(Summary.system_code) == system, col(Summary.day) == day)
    if version is not None:
        query = query.where(col(Summary.version) == version)
    query = query.order_by(col(Summary.version).desc()).limit(1)
    return (await session.execute(query)).scalar_one_or_none()


async def builds(
    session: AsyncSession,
    *,
    system: str | None,
    first: date | None,
    last: date | None,
    page: PageParams,
) -> tuple[list[Summary], int]:
    """Builds, newest day and version first, without their documents."""
    query = select(Summary).options(defer(Summary.document))  # type: ignore[arg-type]
    if system is not None:
        query = query.where(col(Summary.system_code) == system)
    if first is not None:
        query = query.where(col(Summary.day) >= first)
    if last is not None:
        query = query.where(col(Summary.day) <= last)
    total = await session.scalar(select(func.count()).select_from(query.subquery())) or 0
    ordered = query.order_by(
        col(Summary.day).desc(), col(Summary.system_code), col(Summary.version).desc()
    )
    rows = (await session.execute(ordered.limit(page.limit).offset(page.offset))).scalars()
    return list(rows), int(total)


# -- daily figures ---------------------------------------------------------------------


async def figures(
    session: AsyncSession, system: str, first: date, last: date
) -> Sequence[SummaryFigure]:
    query = select(SummaryFigure).where(
        col(SummaryFigure.system_code) == system,
        col(SummaryFigure.day) >= first,
        col(SummaryFigure.day) <= last,
    )
    return (await session.execute(query)).scalars().all()


async def record_figures(
    session: AsyncSession, system: str, day: date, found: Sequence[Recorded], now: datetime
) -> None:
    """The day's figures: a later build of the same day replaces all of them."""
    await session.execute(
        delete(SummaryFigure).where(
            col(SummaryFigure.system_code) == system, col(SummaryFigure.day) == day
        )
    )
    if not found:
        return
    rows = [
        dict(
            system_code=system,
            day=day,
            subject=r.subject,
            metric=r.metric,
            value=float(r.figure.value),
            unit=r.figure.unit.value,
            source=r.figure.source,
            as_of=r.figure.as_of,
            stale=r.figure.stale,
            recorded_at=now,
        )
        for r in found
    ]
    await session.execute(insert(SummaryFigure).values(rows))
