"""Demand against capacity per locality and pathway: the discharge-ready list against
the care capacity flow has learnt from capacity's events (`capacity_inputs`)."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import datetime

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.capacity_inputs import repository as capacity_inputs
from wicc_flow.capacity_inputs.models import CareCapacityFigures
from wicc_flow.demand_capacity.schemas import (
    CapacityLineRead,
    DemandCapacityCell,
    DemandCapacityRead,
    FigureRead,
)
from wicc_flow.discharge_sitrep.recount import zone_of
from wicc_flow.patients import repository as patients
from wicc_flow.patients.config import PatientFlow
from wicc_flow.patients.conversion import to_stay
from wicc_flow.patients.demand_capacity import (
    CapacityFigure,
    CapacityLine,
    DemandCapacity,
    demand_capacity,
)
from wicc_shared.errors import FieldError, ValidationFailed
from wicc_shared.kernel.reference import CareServiceType
from wicc_shared.rules.care_pathways import free_of, pathway_of


async def demand_against_capacity(
    session: AsyncSession,
    system_code: str,
    locality: str | None,
    flow: PatientFlow,
    *,
    now: datetime,
) -> DemandCapacityRead:
    system = await patients.care_system(session, system_code)
    if system is None:
        raise ValidationFailed([FieldError("system", "not a care system", "query", "unknown")])
    localities = await patients.locality_codes(session, system.code)
    if locality is not None and locality not in localities:
        raise ValidationFailed(
            [FieldError("locality", "not a locality of the system", "query", "unknown")]
        )
    stays = [to_stay(p) for p in await patients.open_records(session, system.code)]
    figures = capacity_figures(await capacity_inputs.care_figures(session, system.code))
    cells = demand_capacity(
        stays,
        figures,
        now=now,
        tz=zone_of(system),
        freshness=flow.care_freshness,
        localities=localities,
    )
    chosen = [c for c in cells if locality is None or c.locality == locality]
    return DemandCapacityRead(system=system.code, as_of=now, cells=[_cell(c, now) for c in chosen])


def capacity_figures(rows: Iterable[CareCapacityFigures]) -> list[CapacityFigure]:
    """Each provider's figure rows, as free places of the services that take patients."""
    figures = []
    for row in rows:
        if pathway_of(row.service_type) is None:
            continue
        service_type = CareServiceType(row.service_type)
        for entry in row.figures:
            free = free_of(service_type, entry)
            if free is not None:
                figures.append(
                    CapacityFigure(
                        provider=row.provider,
                        service_type=service_type,
                        localities=tuple(row.localities),
                        as_of=row.as_of,
                        free=free,
                        category=entry.get("category"),
                    )
                )
    return figures


def _cell(cell: DemandCapacity, now: datetime) -> DemandCapacityCell:
    oldest = min(
        (line.oldest_fresh_as_of for line in cell.lines if line.oldest_fresh_as_of is not None),
        default=None,
    )
    return DemandCapacityCell(
        locality=cell.locality,
        pathway=int(cell.pathway),
        waiting=cell.waiting,
        fresh_free=cell.fresh_free,
        stale_free=cell.stale_free,
        gap=cell.gap,
        oldest_fresh_as_of=oldest,
        age_seconds=None if oldest is None else (now - oldest).total_seconds(),
        lines=_lines(cell.lines),
    )


def _lines(lines: Sequence[CapacityLine]) -> list[CapacityLineRead]:
    return [
        CapacityLineRead(
            service_type=line.service_type.value,
            category=line.category,
            fresh_free=line.fresh_free,
            stale_free=line.stale_free,
            oldest_fresh_as_of=line.oldest_fresh_as_of,
            figures=[
                FigureRead(
                    provider=f.provider,
                    as_of=f.as_of,
                    age_seconds=f.age.total_seconds(),
                    stale=f.stale,
                    free=f.free,
                )
                for f in line.figures
            ],
        )
        for line in lines
    ]
