"""Accepting a provider's care capacity: validate, order by `as_of`, record, announce;
and reading the current picture with every figure's age."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.care import events, repository
from wicc_capacity.care.freshness import assess, rollup
from wicc_capacity.care.models import NO_CATEGORY, CareCapacity, CareCapacityHistory
from wicc_capacity.care.schemas import (
    CareCapacityList,
    CareCapacityRead,
    CareCapacityUpdate,
    CareHistoryEntry,
    OfferedService,
    ProviderCapacityRead,
)
from wicc_capacity.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.auth import Principal, ensure_can_write
from wicc_shared.catalogue.care import CARE_CAPACITY_UPDATED, STORED_FIGURES, stored_figures
from wicc_shared.errors import FieldError, NotFound, StaleUpdate, ValidationFailed
from wicc_shared.kernel.models import CareService, Organisation
from wicc_shared.kernel.reference import CareServiceType
from wicc_shared.pagination import Page, PageParams

Figures = dict[str, dict[str, Any]]  # category ("" when none) -> stored figures


@dataclass(frozen=True)
class Timing:
    """The request's moment and the rules that depend on time."""

    now: datetime
    max_skew: timedelta
    freshness_hours: Mapping[str, float]


async def report_capacity(
    session: AsyncSession,
    principal: Principal,
    provider_ods: str,
    update: CareCapacityUpdate,
    timing: Timing,
) -> ProviderCapacityRead:
    org = await _provider(session, provider_ods)
    ensure_can_write(principal, org)
    service = await _offered_service(session, org, update, timing)

    current = await repository.current_rows(session, org.ods, service.service_type)
    figures = update.figures_by_category()
    if current and update.as_of <= current[0].as_of:
        if update.as_of == current[0].as_of and _figures_of(current) == figures:
            return await provider_capacity(session, org.ods, timing)  # a retry: nothing to do
        raise StaleUpdate(
            f"A figure for {current[0].as_of.isoformat()} is already recorded; "
            "older or conflicting reports do not overwrite it.",
            current_as_of=current[0].as_of.isoformat(),
        )

    # Taken before the replacement: reading the new rows refreshes these objects.
    before = _snapshot(current[0].as_of, _figures_of(current)) if current else None
    rows = _new_rows(org, update, figures, principal, timing.now, version=_next_version(current))
    await repository.replace_current(session, org.ods, service.service_type, rows)
    session.add_all(_history(row) for row in rows)
    result = await provider_capacity(session, org.ods, timing)
    reported = [i for i in result.items if i.service_type == update.service_type]
    change = audited_write.Change(
        action=CARE_CAPACITY_UPDATED.name,
        entity_type="care_capacity",
        entity_id=f"{org.ods}/{service.service_type}",
        org_ods=org.ods,
        before=before,
        after=_snapshot(update.as_of, figures),
    )
    payload = events.care_capacity_updated(org, service, reported, timing.freshness_hours)
    await audited_write.record(
        session, principal, change, audited_write.announce(OUTBOX, CARE_CAPACITY_UPDATED, payload)
    )
    return result


async def provider_capacity(
    session: AsyncSession, provider_ods: str, timing: Timing
) -> ProviderCapacityRead:
    org = await _provider(session, provider_ods)
    services = await repository.offered_services(session, org.ods)
    rows = await repository.current_with_context(session, provider_ods=org.ods)
    return ProviderCapacityRead(
        provider=org.ods,
        provider_name=org.name,
        services=[
            OfferedService(service_type=CareServiceType(s.service_type), localities=s.localities)
            for s in services
        ],
        items=[to_read(c, o, s, timing) for c, o, s in rows],
    )


async def list_capacity(
    session: AsyncSession,
    *,
    service_type: CareServiceType | None,
    locality: str | None,
    page: PageParams,
    timing: Timing,
) -> CareCapacityList:
    if locality is not None and not await repository.locality_exists(session, locality):
        raise ValidationFailed(
            [FieldError("locality", f"unknown locality {locality!r}", "query", "unknown_locality")]
        )
    rows = await repository.current_with_context(
        session, service_type=service_type.value if service_type else None, locality=locality
    )
    # Every matching row is read because the totals cover them all, not one page; a
    # system has hundreds to a few thousand rows, and one read keeps page and totals
    # consistent with each other.
    reads = [to_read(c, o, s, timing) for c, o, s in rows]
    return CareCapacityList(
        items=reads[page.offset : page.offset + page.limit],
        total=len(reads),
        limit=page.limit,
        offset=page.offset,
        as_at=timing.now,
        totals=rollup(reads, locality=locality),
    )


async def provider_history(
    session: AsyncSession,
    provider_ods: str,
    *,
    service_type: CareServiceType | None,
    since: datetime | None,
    until: datetime | None,
    page: PageParams,
) -> Page[CareHistoryEntry]:
    org = await _provider(session, provider_ods)
    if since is not None and until is not None and since > until:
        raise ValidationFailed([FieldError("from", "from is after to", "query", "empty_range")])
    rows, total = await repository.history(
        session,
        org.ods,
        service_type=service_type.value if service_type else None,
        since=since,
        until=until,
        limit=page.limit,
        offset=page.offset,
    )
    return Page(
        items=[_history_entry(row) for row in rows],
        total=total,
        limit=page.limit,
        offset=page.offset,
    )


async def _provider(session: AsyncSession, provider_ods: str) -> Organisation:
    org = await repository.provider(session, provider_ods)
    if org is None:
        raise NotFound(f"Provider {provider_ods!r} is not in the reference data.")
    return org


async def _offered_service(
    session: AsyncSession, org: Organisation, update: CareCapacityUpdate, timing: Timing
) -> CareService:
    """The service being reported, locked; every problem with the report is a 422."""
    service = await repository.lock_service(session, org.ods, update.service_type.value)
    errors = update.problems(timing.now, timing.max_skew)
    if service is None:
        offered = [s.service_type for s in await repository.offered_services(session, org.ods)]
        errors.insert(
            0,
            FieldError(
                "service_type",
                f"{org.ods} does not offer {update.service_type.value} "
                f"(it offers: {', '.join(offered) or 'no care services'})",
                code="service_not_offered",
            ),
        )
    if errors:
        raise ValidationFailed(errors)
    assert service is not None
    return service


def _figures_of(rows: Sequence[CareCapacity]) -> Figures:
    return {r.category: {name: getattr(r, name) for name in STORED_FIGURES} for r in rows}


def _next_version(current: Sequence[CareCapacity]) -> int:
    return max((r.version for r in current), default=0) + 1


def _new_rows(
    org: Organisation,
    update: CareCapacityUpdate,
    figures: Figures,
    principal: Principal,
    now: datetime,
    *,
    version: int,
) -> list[dict[str, Any]]:
    return [
        dict(
            provider_ods=org.ods,
            service_type=update.service_type.value,
            category=category,
            as_of=update.as_of,
            updated_at=now,
            version=version,
            reported_by=principal.key_id,
            **values,
        )
        for category, values in figures.items()
    ]


def _history(row: dict[str, Any]) -> CareCapacityHistory:
    kept = {k: v for k, v in row.items() if k not in ("updated_at", "version")}
    return CareCapacityHistory(**kept)


def _snapshot(as_of: datetime, figures: Figures) -> dict[str, Any]:
    """What the audit keeps: the moment and the figures sent (nulls left out)."""
    return {
        "as_of": as_of.isoformat(),
        "figures": {
            category or "all": {k: v for k, v in values.items() if v is not None}
            for category, values in figures.items()
        },
    }


def to_read(
    row: CareCapacity, org: Organisation, service: CareService, timing: Timing
) -> CareCapacityRead:
    service_type = CareServiceType(row.service_type)
    freshness = assess(row.as_of, service_type, timing.freshness_hours, timing.now)
    return CareCapacityRead(
        **freshness.model_dump(),
        **{name: getattr(row, name) for name in stored_figures(service_type)},
        provider=org.ods,
        provider_name=org.name,
        service_type=service_type,
        category=row.category if row.category != NO_CATEGORY else None,
        localities=service.localities,
        reported_by=row.reported_by,
        updated_at=row.updated_at,
        version=row.version,
    )


def _history_entry(row: CareCapacityHistory) -> CareHistoryEntry:
    service_type = CareServiceType(row.service_type)
    return CareHistoryEntry(
        **{name: getattr(row, name) for name in stored_figures(service_type)},
        service_type=service_type,
        category=row.category if row.category != NO_CATEGORY else None,
        as_of=row.as_of,
        reported_by=row.reported_by,
        recorded_at=row.recorded_at,
    )
