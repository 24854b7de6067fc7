"""Queries for the OPEL inputs escalation keeps (never capacity's tables)."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Float,
    Integer,
    String,
    bindparam,
    delete,
    func,
    literal,
    null,
    select,
    tuple_,
    union_all,
)
from sqlalchemy.dialects.postgresql import insert
from sqlalchemy.ext.asyncio import AsyncSession
from sqlalchemy.types import TypeEngine
from sqlmodel import col

from wicc_escalation.inputs.derive import Fact, Facts
from wicc_escalation.inputs.facts import NewFact
from wicc_escalation.inputs.models import InputFact, UnitBeds
from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.kernel.models import CareSystem, Organisation
from wicc_shared.kernel.reference import BedArea


async def upsert_unit_beds(session: AsyncSession, beds: BedsUpdated, event_id: str) -> None:
    row = dict(
        unit_id=beds.unit_id,
        org_ods=beds.org,
        bed_area=beds.bed_area.value,
        open=beds.open,
        occupied=beds.occupied,
        escalation_open=beds.escalation_open,
        as_of=beds.as_of,
        event_id=event_id,
    )
    stmt = insert(UnitBeds).values(**row)
    # Retries can reorder delivery: never let an older figure win. Equal as_of must
    # still apply: several beds of one unit are often reported for the same moment.
    await session.execute(
        stmt.on_conflict_do_update(
            index_elements=["unit_id"],
            set_={k: stmt.excluded[k] for k in row if k != "unit_id"},
            where=col(UnitBeds.as_of) <= stmt.excluded.as_of,
        )
    )


async def record_facts(
    session: AsyncSession, org: str, facts: Sequence[NewFact], now: datetime
) -> None:
    """Keep each figure unless a newer one (later `as_of`, or a later version of the
    same moment) is already kept: events may arrive out of order."""
    kept = [f for f in facts if f.value is not None]
    if kept:
        rows = [
            dict(
                org_ods=org,
                name=f.name,
                source=f.source,
                value=f.value,
                as_of=f.as_of,
                version=f.version,
                event_id=f.event_id,
                event_type=f.event_type,
                received_at=now,
            )
            for f in kept
        ]
        stmt = insert(InputFact).values(rows)
        newer_or_same = tuple_(col(InputFact.as_of), col(InputFact.version)) <= tuple_(
            stmt.excluded.as_of, stmt.excluded.version
        )
        await session.execute(
            stmt.on_conflict_do_update(
                index_elements=["org_ods", "name", "source"],
                set_={
                    k: stmt.excluded[k] for k in rows[0] if k not in ("org_ods", "name", "source")
                },
                where=newer_or_same,
            )
        )
    for f in facts:
        if f.value is None:
            await _remove_fact(session, org, f)


async def _remove_fact(session: AsyncSession, org: str, fact: NewFact) -> None:
    await session.execute(
        delete(InputFact).where(
            col(InputFact.org_ods) == org,
            col(InputFact.name) == fact.name,
            col(InputFact.source) == fact.source,
            tuple_(col(InputFact.as_of), col(InputFact.version)) <= (fact.as_of, fact.version),
        )
    )


@dataclass(frozen=True, slots=True)
class LiveUnit:
    """One adult G&A unit's latest live figure, as scoring reads it (a `UnitFigure`)."""

    open: int
    occupied: int
    escalation_open: int
    as_of: datetime
    event_id: uuid.UUID | None


def _no(type_: type[TypeEngine[Any]]) -> ColumnElement[Any]:
    return null().cast(type_)


# Both halves of an organisation's scoring inputs in one round trip (they are read for
# every input event): its kept facts, and its adult G&A units' live figures.
_FACTS = select(
    literal("fact").label("kind"),
    col(InputFact.name),
    col(InputFact.source),
    col(InputFact.value),
    col(InputFact.as_of),
    col(InputFact.event_id),
    col(InputFact.event_type),
    _no(Integer).label("open"),
    _no(Integer).label("occupied"),
    _no(Integer).label("escalation_open"),
).where(col(InputFact.org_ods) == bindparam("org"))
_GA_UNITS = select(
    literal("unit"),
    _no(String),
    _no(String),
    _no(Float),
    col(UnitBeds.as_of),
    col(UnitBeds.event_id),
    _no(String),
    col(UnitBeds.open),
    col(UnitBeds.occupied),
    col(UnitBeds.escalation_open),
).where(col(UnitBeds.org_ods) == bindparam("org"), col(UnitBeds.bed_area) == BedArea.adult_ga.value)
_SCORING_INPUTS = union_all(_FACTS, _GA_UNITS)


async def scoring_inputs(session: AsyncSession, org: str) -> tuple[Facts, list[LiveUnit]]:
    """The organisation's kept facts, and its adult G&A units' latest live figures."""
    facts: dict[tuple[str, str], Fact] = {}
    units: list[LiveUnit] = []
    for r in (await session.execute(_SCORING_INPUTS, {"org": org})).all():
        if r.kind == "fact":
            facts[(r.name, r.source)] = Fact(r.value, r.as_of, str(r.event_id), r.event_type)
        else:
            units.append(LiveUnit(r.open, r.occupied, r.escalation_open, r.as_of, r.event_id))
    return facts, units


async def system_timezone(session: AsyncSession, system: str) -> str:
    found = await session.get(CareSystem, system)
    return found.timezone if found is not None else "Europe/London"


async def org_exists(session: AsyncSession, ods: str) -> bool:
    return await session.get(Organisation, ods) is not None


async def area_beds(
    session: AsyncSession, ods: str, bed_area: str
) -> tuple[int, int, datetime | None]:
    """Open and occupied beds of an organisation's area, and the oldest figure's as_of."""
    row = (
        await session.execute(
            select(
                func.coalesce(func.sum(col(UnitBeds.open)), 0),
                func.coalesce(func.sum(col(UnitBeds.occupied)), 0),
                func.min(col(UnitBeds.as_of)),
            ).where(col(UnitBeds.org_ods) == ods, col(UnitBeds.bed_area) == bed_area)
        )
    ).one()
    return int(row[0]), int(row[1]), row[2]
