"""Building, storing and reading the daily summaries (no HTTP; never commits).

A build reads the board's picture at the end of the event log (built on demand, so it
is the same in an API process, the worker and the command line), the care system's
reference data and the figures of the days before; assembles the document (pure);
then, under a lock on the system's day, stores it as the next version with its daily
figures, its audit entry and its `summary.published` event, in the caller's
transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy.ext.asyncio import AsyncSession

from wicc_flow.board.on_demand import current_projection
from wicc_flow.patients.delay_reasons import DelayReasons
from wicc_flow.summaries import events, repository, sources
from wicc_flow.summaries.assemble import Inputs, assemble
from wicc_flow.summaries.document import BuildTrigger, SummaryDocument
from wicc_flow.summaries.figures import Figure, Unit
from wicc_flow.summaries.history import READ_DAYS, History, recorded
from wicc_flow.summaries.inputs import BoardInputs, Build
from wicc_flow.summaries.models import Summary, SummaryFigure
from wicc_flow.summaries.opel_status import opel_entries
from wicc_flow.summaries.patient_inputs import patient_inputs
from wicc_flow.summaries.schemas import SummaryBuild, SummaryBuildPage, summary_path
from wicc_flow.tables import OUTBOX
from wicc_shared import audited_write
from wicc_shared.auth import Principal, Role
from wicc_shared.catalogue.summaries import SUMMARY_PUBLISHED, SummaryTrigger
from wicc_shared.errors import FieldError, Forbidden, NotFound, ValidationFailed, WiccError
from wicc_shared.events.stream import EventStream
from wicc_shared.kernel.models import CareSystem, Organisation
from wicc_shared.pagination import PageParams

# Counts keep their integer form when read back from the daily figures.
_FRACTIONAL = (Unit.percent, Unit.points)


@dataclass(frozen=True)
class Board:
    """The board's picture (its view at the build's `now`) and the log position."""

    view: Mapping[str, Any]
    seq: int


async def read_board(
    session: AsyncSession,
    stream: EventStream,
    care_freshness_hours: Mapping[str, float],
    now: dt.datetime,
) -> Board:
    projection, seq = await current_projection(
        session, stream, care_freshness_hours=care_freshness_hours
    )
    return Board(view=projection.view(now), seq=seq)


@dataclass(frozen=True)
class BuildOrder:
    system: CareSystem
    day: dt.date
    trigger: BuildTrigger
    now: dt.datetime
    care_freshness_hours: Mapping[str, float]
    # The delay-reason lists, for the reasons' names (codes are shown without them).
    reasons: DelayReasons | None = None


async def build(
    session: AsyncSession,
    actor: audited_write.Actor,
    order: BuildOrder,
    board: Board,
) -> Summary | None:
    """The next version of the day's summary, stored and announced. A scheduled build
    of a day that already has one does nothing (None): the worker builds a day once."""
    reference = await repository.reference(session, order.system)
    history = await load_history(session, order.system.code, order.day)
    await repository.lock_day(session, order.system.code, order.day)
    if order.trigger is BuildTrigger.scheduled and await repository.scheduled_build_exists(
        session, order.system.code, order.day
    ):
        return None
    version = await repository.latest_version(session, order.system.code, order.day) + 1
    patients = await patient_inputs(session, order.system, order.day, board.view, order.reasons)
    document = assemble(
        Inputs(
            reference=reference,
            board=BoardInputs.of(board.view, order.system.code, board.seq),
            history=history,
            build=Build(
                day=order.day,
                now=order.now,
                version=version,
                trigger=order.trigger.value,
                care_freshness_hours=order.care_freshness_hours,
            ),
            discharge_sitreps=patients.discharge_sitreps,
            lost_bed_days=patients.lost_bed_days,
            reason_label=patients.reason_label,
            became_ready=patients.became_ready,
            opel=opel_entries(board.view, order.system.code),
        )
    )
    return await _store(session, actor, order, document)


async def _store(
    session: AsyncSession,
    actor: audited_write.Actor,
    order: BuildOrder,
    document: SummaryDocument,
) -> Summary:
    summary = await repository.add(
        session,
        Summary(
            system_code=order.system.code,
            day=order.day,
            version=document.build.version,
            built_at=order.now,
            trigger=order.trigger.value,
            built_by=actor.key_id,
            stale_sources=len(document.stale_sources()),
            document=document.model_dump(mode="json"),
        ),
    )
    await repository.record_figures(
        session, order.system.code, order.day, list(recorded(document)), order.now
    )
    change = audited_write.Change(
        action=SUMMARY_PUBLISHED.name,
        entity_type="summary",
        entity_id=f"{order.system.code}/{order.day.isoformat()}/{summary.version}",
        org_ods=None,
        before=None,
        after={
            "version": summary.version,
            "trigger": summary.trigger,
            "stale_sources": summary.stale_sources,
        },
    )
    payload = events.summary_published(summary)
    await audited_write.record(
        session, actor, change, audited_write.announce(OUTBOX, SUMMARY_PUBLISHED, payload)
    )
    return summary


async def load_history(session: AsyncSession, system: str, day: dt.date) -> History:
    first = day - dt.timedelta(days=READ_DAYS)
    rows = await repository.figures(session, system, first, day - dt.timedelta(days=1))
    found: dict[tuple[str, str], dict[dt.date, Figure]] = {}
    for row in rows:
        found.setdefault((row.subject, row.metric), {})[row.day] = _figure_of(row)
    return History(system=system, day=day, figures=found)


def _figure_of(row: SummaryFigure) -> Figure:
    unit = Unit(row.unit)
    value: float = row.value
    if unit not in _FRACTIONAL and value.is_integer():
        value = int(value)
    return Figure(
        value=value, unit=unit, source=sources.summary(row.system_code, row.day), as_of=row.as_of
    )


# -- checks ------------------------------------------------------------------------------


async def system_or_404(session: AsyncSession, code: str) -> CareSystem:
    system = await repository.care_system(session, code)
    if system is None:
        raise NotFound(f"No care system with code {code!r}.")
    return system


def today_of(system: CareSystem, now: dt.datetime) -> dt.date:
    return repository.system_ref(system).today(now)


def ensure_not_future(system: CareSystem, day: dt.date, now: dt.datetime) -> None:
    today = today_of(system, now)
    if day > today:
        raise ValidationFailed(
            [
                FieldError(
                    "date",
                    f"{day} is in the future (today is {today} in {system.timezone})",
                    "path",
                    "future_date",
                )
            ]
        )


def ensure_buildable(system: CareSystem, day: dt.date, now: dt.datetime) -> None:
    """A summary shows the live position, so only today's can be built."""
    ensure_not_future(system, day, now)
    today = today_of(system, now)
    if day < today:
        raise ValidationFailed(
            [
                FieldError(
                    "date",
                    f"{day} is past: a summary is built from the live position, so only "
                    f"today's ({today}) can be built; read earlier ones with GET",
                    "path",
                    "past_date",
                )
            ]
        )


# -- reads -------------------------------------------------------------------------------


async def stored(
    session: AsyncSession, code: str, day: dt.date, version: int | None, now: dt.datetime
) -> Summary:
    system = await system_or_404(session, code)
    ensure_not_future(system, day, now)
    found = await repository.get(session, system.code, day, version)
    if found is None:
        which = f"version {version} of " if version is not None else ""
        raise NotFound(f"No {which}summary of {code} for {day}.")
    return found


async def list_builds(
    session: AsyncSession,
    *,
    system: str | None,
    first: dt.date | None,
    last: dt.date | None,
    page: PageParams,
) -> SummaryBuildPage:
    problems = []
    if system is not None and await repository.care_system(session, system) is None:
        problems.append(FieldError("system", f"no care system {system!r}", "query", "unknown"))
    if first is not None and last is not None and first > last:
        problems.append(
            FieldError("from", f"{first} is after to ({last})", "query", "from_after_to")
        )
    if problems:
        raise ValidationFailed(problems)
    rows, total = await repository.builds(session, system=system, first=first, last=last, page=page)
    return SummaryBuildPage(
        items=[to_build(row) for row in rows], total=total, limit=page.limit, offset=page.offset
    )


def to_build(summary: Summary) -> SummaryBuild:
    return SummaryBuild(
        system=summary.system_code,
        date=summary.day,
        version=summary.version,
        built_at=summary.built_at,
        trigger=SummaryTrigger(summary.trigger),
        built_by=summary.built_by,
        stale_sources=summary.stale_sources,
        href=summary_path(summary.system_code, summary.day, summary.version),
    )


def document_of(summary: Summary) -> SummaryDocument:
    return SummaryDocument.model_validate(summary.document)


# -- on demand ---------------------------------------------------------------------------

BUILD_ROLES = frozenset({Role.admin, Role.coordinator})


class NotAcceptable(WiccError):
    status, slug, title = 406, "not-acceptable", "None of the accepted formats is offered"


async def ensure_can_build(session: AsyncSession, principal: Principal, system: CareSystem) -> None:
    """An admin key, or a coordinator's key scoped to this system or to one of its
    organisations."""
    if principal.role not in BUILD_ROLES:
        raise Forbidden(f"Role '{principal.role}' may not build summaries (coordinator or admin).")
    if principal.is_admin or principal.system_code == system.code:
        return
    org = await session.get(Organisation, principal.org_ods) if principal.org_ods else None
    if org is None or org.system_code != system.code:
        raise Forbidden(f"This key is not scoped to care system {system.code}.")


async def build_now(
    session: AsyncSession,
    stream: EventStream,
    principal: Principal,
    code: str,
    day: dt.date,
    *,
    now: dt.datetime,
    care_freshness_hours: Mapping[str, float],
    reasons: DelayReasons | None = None,
) -> SummaryBuild:
    """A coordinator's or admin's rebuild of today's summary: the next version."""
    system = await system_or_404(session, code)
    await ensure_can_build(session, principal, system)
    ensure_buildable(system, day, now)
    board = await read_board(session, stream, care_freshness_hours, now)
    order = BuildOrder(system, day, BuildTrigger.on_demand, now, care_freshness_hours, reasons)
    summary = await build(session, principal, order, board)
    assert summary is not None  # only a scheduled build can be skipped
    return to_build(summary)


async def latest_or_build(
    session: AsyncSession,
    stream: EventStream,
    actor: audited_write.Actor,
    code: str,
    day: dt.date | None,
    *,
    now: dt.datetime,
    rebuild: bool,
    care_freshness_hours: Mapping[str, float],
    reasons: DelayReasons | None = None,
) -> Summary:
    """The latest version of the day's summary (default today), building one when there
    is none or a rebuild is asked for (the command line's `wicc summary`)."""
    system = await system_or_404(session, code)
    day = day or today_of(system, now)
    ensure_not_future(system, day, now)
    if not rebuild and (found := await repository.get(session, system.code, day)) is not None:
        return found
    ensure_buildable(system, day, now)
    board = await read_board(session, stream, care_freshness_hours, now)
    order = BuildOrder(system, day, BuildTrigger.on_demand, now, care_freshness_hours, reasons)
    summary = await build(session, actor, order, board)
    assert summary is not None  # only a scheduled build can be skipped
    return summary
