"""The daily sitrep: submit once per organisation and date, amend within 14 days,
keep every version, feed the live area figures, announce every change."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_capacity.sitreps import events, repository
from wicc_capacity.sitreps.calendar import SitrepCalendar
from wicc_capacity.sitreps.models import NewSitrep, Sitrep, SitrepRecord, SitrepVersion
from wicc_capacity.sitreps.schemas import (
    AMENDMENT_WINDOW_DAYS,
    SITREPS_PATH,
    OrgSitrepStatus,
    ReportingStatus,
    SitrepAmendment,
    SitrepFigures,
    SitrepRead,
    SitrepStatusPage,
    SitrepSubmission,
    SitrepVersionRead,
    StatusCounts,
)
from wicc_capacity.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.auth import Principal, ensure_can_write
from wicc_shared.catalogue.base import EventType
from wicc_shared.catalogue.sitreps import (
    SITREP_AMENDED,
    SITREP_SUBMITTED,
    SitrepRecorded,
    SitrepTotals,
)
from wicc_shared.errors import Conflict, FieldError, NotFound, ValidationFailed
from wicc_shared.kernel.models import Organisation
from wicc_shared.pagination import Page, PageParams
from wicc_shared.rules.occupancy import occupancy_pct


class SitrepExists(Conflict):
    slug, title = "sitrep-exists", "A different sitrep is already recorded for this date"


class AmendmentWindowClosed(Conflict):
    slug, title = "amendment-window-closed", "The sitrep can no longer be amended"


@dataclass(frozen=True)
class WriteResult:
    """A sitrep after a write; `changed` is False for an identical resubmission."""

    read: SitrepRead
    changed: bool

    @property
    def location(self) -> str:
        return sitrep_path(self.read.org, self.read.date)


def sitrep_path(org: str, date: dt.date) -> str:
    return f"{SITREPS_PATH}/{org}/{date.isoformat()}"


async def submit(
    session: AsyncSession, principal: Principal, body: SitrepSubmission, *, now: dt.datetime
) -> WriteResult:
    found = await repository.active_org(session, body.org)
    calendar = SitrepCalendar.of(found[1] if found else None)
    problems = body.date_problems(calendar.today(now)) + body.problems()
    if found is None:
        unknown = FieldError("org", f"no active organisation {body.org!r}", code="unknown")
        raise ValidationFailed([unknown, *problems])
    org, _system = found
    ensure_can_write(principal, org)
    if problems:
        raise ValidationFailed(problems)

    figures = body.canonical()
    sitrep = NewSitrep(
        org_ods=org.ods,
        sitrep_date=body.date,
        figures=figures,
        submitted_by=principal.key_id,
        submitted_at=now,
    )
    read = to_read(sitrep, calendar)
    change = _change(org, sitrep, before=None, reason=None)
    _event, audited = audited_write.prepared(
        session, principal, change, _announcement(SITREP_SUBMITTED, read, org)
    )
    as_of = calendar.as_of(body.date)
    if not await repository.submit_sitrep(session, sitrep, as_of=as_of, audited=audited):
        return await _resubmission(session, org, calendar, body.date, figures)
    return WriteResult(read=read, changed=True)


async def _resubmission(
    session: AsyncSession,
    org: Organisation,
    calendar: SitrepCalendar,
    date: dt.date,
    figures: dict[str, Any],
) -> WriteResult:
    """A second POST for the same org and date: a harmless retry if the figures are
    those already recorded, otherwise a conflict pointing at the amendment route."""
    current = await repository.get_sitrep(session, org.ods, date)
    assert current is not None  # the insert found it, and sitreps are never deleted
    if current.figures == figures:
        return WriteResult(read=to_read(current, calendar), changed=False)
    path = sitrep_path(org.ods, date)
    raise SitrepExists(
        f"{org.ods} already has a sitrep for {date} (version {current.version}) with other "
        f"figures. To correct it, send PUT {path} with the figures and a reason.",
        amend={"method": "PUT", "href": path},
        current_version=current.version,
    )


async def amend(
    session: AsyncSession,
    principal: Principal,
    ods: str,
    date: dt.date,
    body: SitrepAmendment,
    *,
    now: dt.datetime,
) -> WriteResult:
    org, calendar = await _org_or_404(session, ods)
    ensure_can_write(principal, org)
    if problems := body.problems():
        raise ValidationFailed(problems)
    await repository.lock_org(session, org.ods)
    sitrep = await repository.get_sitrep(session, ods, date, for_update=True)
    if sitrep is None:
        raise NotFound(
            f"{ods} has no sitrep for {date} to amend; submit one with POST {SITREPS_PATH}."
        )
    until = calendar.amendable_until(date)
    if now >= until:
        raise AmendmentWindowClosed(
            f"Sitreps may be amended for {AMENDMENT_WINDOW_DAYS} days after their date; "
            f"the window for {date} closed at {until.isoformat()}.",
            amendable_until=until.isoformat(),
        )
    figures = body.canonical()
    if sitrep.figures == figures:
        return WriteResult(read=to_read(sitrep, calendar), changed=False)

    before = _snapshot(sitrep)
    sitrep.figures, sitrep.version, sitrep.amended_at = figures, sitrep.version + 1, now
    session.add(sitrep)
    await session.flush()
    await repository.insert_version(
        session, _version(sitrep, principal, reason=body.reason, now=now)
    )
    await repository.update_area_beds(
        session, org.ods, calendar.as_of(date), figures["beds"], principal.key_id
    )
    read = await _record(
        session, principal, org, calendar, sitrep, before=before, reason=body.reason
    )
    return WriteResult(read=read, changed=True)


async def get_current(session: AsyncSession, ods: str, date: dt.date) -> SitrepRead:
    _org, calendar = await _org_or_404(session, ods)
    sitrep = await repository.get_sitrep(session, ods, date)
    if sitrep is None:
        raise NotFound(f"{ods} has no sitrep for {date}.")
    return to_read(sitrep, calendar)


async def list_versions(
    session: AsyncSession, ods: str, date: dt.date, page: PageParams
) -> Page[SitrepVersionRead]:
    await _org_or_404(session, ods)
    sitrep = await repository.get_sitrep(session, ods, date)
    if sitrep is None:
        raise NotFound(f"{ods} has no sitrep for {date}.")
    versions, total = await repository.list_versions(
        session, sitrep.id, limit=page.limit, offset=page.offset
    )
    items = [
        SitrepVersionRead(
            version=v.version,
            figures=SitrepFigures.model_validate(v.figures),
            submitted_by=v.submitted_by,
            reason=v.reason,
            created_at=v.created_at,
        )
        for v in versions
    ]
    return Page(items=items, total=total, limit=page.limit, offset=page.offset)


async def reporting_status(
    session: AsyncSession,
    system_code: str,
    date: dt.date | None,
    status: ReportingStatus | None,
    page: PageParams,
    *,
    now: dt.datetime,
) -> SitrepStatusPage:
    system = await repository.care_system(session, system_code)
    if system is None:
        raise ValidationFailed(
            [FieldError("system", f"no care system {system_code!r}", "query", "unknown")]
        )
    calendar = SitrepCalendar.of(system)
    day = date or calendar.today(now)
    deadline = calendar.deadline(day)
    rows = [
        _org_status(r.org, r.sitrep, deadline, now)
        for r in await repository.reporting_rows(session, system.code, day)
    ]
    counts = StatusCounts(**{s.value: sum(r.status is s for r in rows) for s in ReportingStatus})
    if status is not None:
        rows = [r for r in rows if r.status is status]
    # A system has tens of organisations: paging in memory keeps the counts exact.
    return SitrepStatusPage(
        items=rows[page.offset : page.offset + page.limit],
        total=len(rows),
        limit=page.limit,
        offset=page.offset,
        system=system.code,
        date=day,
        deadline=deadline,
        counts=counts,
    )


def _org_status(
    org: Organisation, sitrep: Sitrep | None, deadline: dt.datetime, now: dt.datetime
) -> OrgSitrepStatus:
    if sitrep is not None:
        status = (
            ReportingStatus.late if sitrep.submitted_at > deadline else ReportingStatus.submitted
        )
    else:
        status = ReportingStatus.missing if now > deadline else ReportingStatus.pending
    return OrgSitrepStatus(
        org=org.ods,
        name=org.name,
        kind=org.kind,
        locality=org.locality_code,
        status=status,
        submitted_at=sitrep.submitted_at if sitrep else None,
        amended_at=sitrep.amended_at if sitrep else None,
        version=sitrep.version if sitrep else None,
    )


async def _org_or_404(session: AsyncSession, ods: str) -> tuple[Organisation, SitrepCalendar]:
    found = await repository.active_org(session, ods)
    if found is None:
        raise NotFound(f"No active organisation with ODS code {ods!r}.")
    org, system = found
    return org, SitrepCalendar.of(system)


def _version(
    sitrep: Sitrep, principal: Principal, *, reason: str | None, now: dt.datetime
) -> SitrepVersion:
    return SitrepVersion(
        sitrep_id=sitrep.id,
        version=sitrep.version,
        figures=sitrep.figures,
        submitted_by=principal.key_id,
        reason=reason,
        created_at=now,
    )


async def _record(
    session: AsyncSession,
    principal: Principal,
    org: Organisation,
    calendar: SitrepCalendar,
    sitrep: Sitrep,
    *,
    before: dict[str, Any],
    reason: str | None,
) -> SitrepRead:
    """An amendment's audit entry and event, in the same transaction. Returns the
    sitrep as read back. (A submission writes both in its one statement.)"""
    read = to_read(sitrep, calendar)
    change = _change(org, sitrep, before=before, reason=reason)
    await audited_write.record(session, principal, change, _announcement(SITREP_AMENDED, read, org))
    return read


def _change(
    org: Organisation, sitrep: SitrepRecord, *, before: dict[str, Any] | None, reason: str | None
) -> audited_write.Change:
    amended = before is not None
    return audited_write.Change(
        action=(SITREP_AMENDED if amended else SITREP_SUBMITTED).name,
        entity_type="sitrep",
        entity_id=f"{org.ods}/{sitrep.sitrep_date.isoformat()}",
        org_ods=org.ods,
        before=before,
        after=_snapshot(sitrep) | ({"reason": reason} if amended else {}),
    )


def _announcement(
    event_type: EventType[SitrepRecorded], read: SitrepRead, org: Organisation
) -> audited_write.Announcement[SitrepRecorded]:
    return audited_write.announce(OUTBOX, event_type, events.sitrep_recorded(read, org))


def _snapshot(sitrep: SitrepRecord) -> dict[str, Any]:
    return {"version": sitrep.version, "figures": sitrep.figures}


def totals(figures: SitrepFigures) -> SitrepTotals:
    open_ = sum(a.open for a in figures.beds)
    occupied = figures.total_occupied
    return SitrepTotals(
        open=open_,
        occupied=occupied,
        occupancy_pct=occupancy_pct(occupied, open_),
        escalation_open=sum(a.escalation_open for a in figures.beds),
        nctr_pct_of_occupied=round(100 * figures.nctr_patients / occupied, 1) if occupied else None,
    )


def to_read(sitrep: SitrepRecord, calendar: SitrepCalendar) -> SitrepRead:
    figures = SitrepFigures.model_validate(sitrep.figures)
    deadline = calendar.deadline(sitrep.sitrep_date)
    return SitrepRead(
        id=sitrep.id,
        org=sitrep.org_ods,
        date=sitrep.sitrep_date,
        version=sitrep.version,
        figures=figures,
        totals=totals(figures),
        submitted_by=sitrep.submitted_by,
        submitted_at=sitrep.submitted_at,
        amended_at=sitrep.amended_at,
        deadline=deadline,
        late=sitrep.submitted_at > deadline,
        amendable_until=calendar.amendable_until(sitrep.sitrep_date),
    )
