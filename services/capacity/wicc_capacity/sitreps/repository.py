"""Queries for sitreps, their versions, the live area figures they feed, and who
has reported."""

from __future__ import annotations

import datetime as dt
import uuid
import zlib
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    Integer,
    Table,
    Text,
    and_,
    bindparam,
    column,
    delete,
    exists,
    func,
    insert,
    literal,
    or_,
    select,
    true,
)
from sqlalchemy.dialects.postgresql import insert as pg_insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlmodel import col

from wicc_capacity.sitreps.models import (
    AreaBeds,
    NewSitrep,
    Sitrep,
    SitrepMissing,
    SitrepVersion,
)
from wicc_capacity.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.kernel.models import CareSystem, Organisation, Unit
from wicc_shared.kernel.reference_cache import cached_reference

SITREP_SOURCE = "sitrep"
# Two-int4 advisory locks have a key space of their own; this namespace keeps the
# per-organisation sitrep locks apart from every other two-int4 lock.
ORG_LOCK_NAMESPACE = zlib.crc32(b"wicc-sitrep-org") - 2**31

_SITREP: Table = Sitrep.__table__  # type: ignore[attr-defined]
_VERSION: Table = SitrepVersion.__table__  # type: ignore[attr-defined]
_AREA: Table = AreaBeds.__table__  # type: ignore[attr-defined]
_AREA_FIGURES = ("core_open", "escalation_open", "occupied")

# The write path's statements are built once and do as much as they can per round
# trip: building a statement per request (coercing every value, computing its
# cache key) and each extra round trip cost more CPU than the SQL itself
# (docs/performance.md, sitrep ingest).
_ACTIVE_ORG = (
    select(Organisation, CareSystem)
    .join(CareSystem, col(CareSystem.code) == col(Organisation.system_code))
    .where(col(Organisation.ods) == bindparam("ods"), col(Organisation.active))
)
_LOCK_ORG = select(func.pg_advisory_xact_lock(bindparam("namespace"), bindparam("id")))
_INSERT_VERSION = insert(_VERSION)
_SUBMITTED_FIELDS = ("id", "org_ods", "sitrep_date", "figures", "submitted_by", "submitted_at")


def _bind(table: Table, name: str) -> Any:
    return bindparam(name, type_=table.c[name].type)


def _reported_areas() -> Any:
    """The areas of a sitrep, passed as one JSON array, as rows."""
    return (
        func.jsonb_to_recordset(bindparam("areas", type_=_SITREP.c.figures.type))
        .table_valued(column("bed_area", Text), *[column(name, Integer) for name in _AREA_FIGURES])
        .render_derived(name="reported", with_types=True)
    )


def _area_upsert(rows: Any) -> Any:
    """Live area figures from `rows`: a newer `as_of` always wins; at an equal `as_of`
    only a sitrep replaces a sitrep's figure (an amendment of the same day's report)."""
    upsert = pg_insert(_AREA).from_select(
        ["org_ods", "bed_area", *_AREA_FIGURES, "as_of", "source", "reported_by"], rows
    )
    replaced = ("core_open", "escalation_open", "occupied", "as_of", "source", "reported_by")
    return upsert.on_conflict_do_update(
        index_elements=["org_ods", "bed_area"],
        set_={name: upsert.excluded[name] for name in replaced},
        where=or_(
            _AREA.c.as_of < upsert.excluded.as_of,
            and_(_AREA.c.as_of == upsert.excluded.as_of, _AREA.c.source == _bind(_AREA, "source")),
        ),
    )


def _submit_statement() -> Any:
    """A new sitrep in one round trip: take the organisation's lock, insert the sitrep
    unless it already has one for the date (then nothing else happens and no row is
    returned), its version 1, its areas as the live figures where not older, its audit
    entry and its `sitrep.submitted` event. Selecting from `org_lock` makes PostgreSQL
    take the lock before the insert. (Unlike an amendment, a first sitrep has no
    earlier areas of the same day to drop.)"""
    org_lock = select(
        func.pg_advisory_xact_lock(bindparam("lock_namespace"), bindparam("lock_id")).label("l")
    ).cte("org_lock")
    values = [_bind(_SITREP, name) for name in _SUBMITTED_FIELDS]
    new_sitrep = (
        pg_insert(_SITREP)
        .from_select(
            [*_SUBMITTED_FIELDS, "version"], select(*values, literal(1)).select_from(org_lock)
        )
        .on_conflict_do_nothing(index_elements=["org_ods", "sitrep_date"])
        .returning(*[_SITREP.c[name] for name in _SUBMITTED_FIELDS])
        .cte("new_sitrep")
    )
    first_version = insert(_VERSION).from_select(
        ["sitrep_id", "version", "figures", "submitted_by", "created_at"],
        select(
            new_sitrep.c.id,
            literal(1),
            new_sitrep.c.figures,
            new_sitrep.c.submitted_by,
            new_sitrep.c.submitted_at,
        ),
    )
    reported = _reported_areas()
    live_areas = _area_upsert(
        select(
            new_sitrep.c.org_ods,
            reported.c.bed_area,
            *[reported.c[name] for name in _AREA_FIGURES],
            _bind(_AREA, "as_of"),
            _bind(_AREA, "source"),
            new_sitrep.c.submitted_by,
        ).select_from(new_sitrep.join(reported, true()))
    )
    audited, announced = audited_write.ctes(new_sitrep, OUTBOX.table)
    return select(new_sitrep.c.id).add_cte(
        first_version.cte("first_version"), live_areas.cte("live_areas"), audited, announced
    )


def _amend_areas_statement() -> Any:
    """An amendment's areas: upserted by the rule above, and the areas it no longer
    reports dropped when their figure came from that same day's sitrep. The upsert
    and the delete touch different rows, so one statement does both."""
    reported_rows = _reported_areas()
    reported = select(*reported_rows.c).cte("reported")
    upserted = _area_upsert(
        select(
            bindparam("org", type_=_AREA.c.org_ods.type),
            reported.c.bed_area,
            *[reported.c[name] for name in _AREA_FIGURES],
            _bind(_AREA, "as_of"),
            _bind(_AREA, "source"),
            _bind(_AREA, "reported_by"),
        )
    ).cte("upserted")
    return (
        delete(_AREA)
        .where(
            _AREA.c.org_ods == bindparam("org", type_=_AREA.c.org_ods.type),
            _AREA.c.as_of == _bind(_AREA, "as_of"),
            _AREA.c.source == _bind(_AREA, "source"),
            _AREA.c.bed_area.not_in(select(reported.c.bed_area)),
        )
        .add_cte(upserted)
    )


_SUBMIT_SITREP = _submit_statement()
_UPDATE_AREA_BEDS = _amend_areas_statement()


def org_lock_id(ods: str) -> int:
    return zlib.crc32(ods.encode()) - 2**31


async def lock_org(session: AsyncSession, ods: str) -> None:
    """Serialise sitrep writes for one organisation until the transaction ends.

    Every write (POST, PUT, each CSV row) takes this lock before touching the
    sitrep and the area figures, and a CSV file is processed in lock order, so two
    writers can never hold rows the other one needs (no deadlock between them).
    """
    await session.execute(_LOCK_ORG, {"namespace": ORG_LOCK_NAMESPACE, "id": org_lock_id(ods)})


async def active_org(session: AsyncSession, ods: str) -> tuple[Organisation, CareSystem] | None:
    """The active organisation and its care system (cached briefly: reference_cache)."""
    return await cached_reference(session, "active_org", ods, load_active_org)


async def load_active_org(
    session: AsyncSession, ods: str
) -> tuple[Organisation, CareSystem] | None:
    row = (await session.execute(_ACTIVE_ORG, {"ods": ods})).first()
    return None if row is None else (row[0], row[1])


async def care_system(session: AsyncSession, code: str) -> CareSystem | None:
    return await session.get(CareSystem, code)


async def care_systems(session: AsyncSession) -> Sequence[CareSystem]:
    return (
        (await session.execute(select(CareSystem).order_by(col(CareSystem.code)))).scalars().all()
    )


async def submit_sitrep(
    session: AsyncSession,
    sitrep: NewSitrep,
    *,
    as_of: dt.datetime,
    audited: dict[str, Any],
) -> bool:
    """Lock the organisation, then insert the sitrep, its version 1, its live area
    figures (as of `as_of`), its audit entry and its outbox row (`audited`: the bind
    parameters from `audited_write.prepared`), unless the organisation already has a
    sitrep for the date; True if inserted.

    ON CONFLICT makes a concurrent second submission wait for the first to commit
    and then insert nothing, instead of failing on the unique constraint.
    """
    params: dict[str, Any] = {name: getattr(sitrep, name) for name in _SUBMITTED_FIELDS}
    params.update(
        lock_namespace=ORG_LOCK_NAMESPACE,
        lock_id=org_lock_id(sitrep.org_ods),
        areas=_live_figures(sitrep.figures["beds"]),
        as_of=as_of,
        source=SITREP_SOURCE,
    )
    params.update(audited)
    inserted = await session.execute(_SUBMIT_SITREP, params)
    return inserted.scalar_one_or_none() is not None


async def insert_version(session: AsyncSession, version: SitrepVersion) -> None:
    await session.execute(_INSERT_VERSION, version.model_dump(exclude={"id"}))


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
    """Make an amended sitrep's areas the live area figures where they are not older."""
    await session.execute(
        _UPDATE_AREA_BEDS,
        {
            "org": org,
            "as_of": as_of,
            "areas": _live_figures(areas),
            "reported_by": reported_by,
            "source": SITREP_SOURCE,
        },
    )


def _live_figures(areas: Sequence[dict[str, Any]]) -> list[dict[str, Any]]:
    """A sitrep's bed areas as live area figures (occupied = core + escalation)."""
    return [
        {
            "bed_area": a["bed_area"],
            "core_open": a["core_open"],
            "escalation_open": a["escalation_open"],
            "occupied": a["core_occupied"] + a["escalation_occupied"],
        }
        for a in areas
    ]


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
        pg_insert(SitrepMissing)
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
