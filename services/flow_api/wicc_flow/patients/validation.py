"""The rules of a discharge-ready record that field types cannot express.

Shared by every way a record arrives (the JSON API and the CSV import), so both refuse
the same things with the same machine codes. Problems name the field as the JSON API
does (`delays.0.from`); the CSV import turns those into its column names.

Every date and time a client sends must be plausible: not before 2000-01-01, not in
the future beyond the allowed clock skew (an expected discharge date may be ahead, up
to EXPECTED_DISCHARGE_HORIZON). A stay cannot become ready, or wait for anything,
before the day it was admitted.
"""

from __future__ import annotations

import re
from collections.abc import Collection
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, timedelta, tzinfo
from typing import Final

from wicc_flow.patients.delay_reasons import DelayReasons
from wicc_flow.patients.nhs_number import NhsNumber
from wicc_flow.patients.records import Delay, Pathway, Responsible, local_date

EARLIEST: Final = datetime(2000, 1, 1, tzinfo=UTC)
EXPECTED_DISCHARGE_HORIZON: Final = timedelta(days=366)
MAX_DELAYS: Final = 20
LOCAL_REF_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9._/-]{0,63}")
CODE_PATTERN: Final = re.compile(r"[A-Za-z0-9][A-Za-z0-9_.-]{0,59}")


@dataclass(frozen=True, slots=True)
class Problem:
    """One broken rule: `field` as the JSON API names it, `code` machine-readable."""

    field: str
    code: str
    message: str


@dataclass(frozen=True, slots=True)
class DelayDraft:
    reason: str
    start: date
    end: date | None = None
    responsible: Responsible | None = None  # None: the reason's usual owner


@dataclass(frozen=True, slots=True)
class PatientDraft:
    """A discharge-ready record as a client sends it, before it is stored.
    `NhsNumber` hides its digits, so this repr never shows one."""

    local_ref: str
    unit_id: str
    admitted_at: datetime
    discharge_ready_date: date
    pathway: Pathway
    destination_locality: str
    expected_discharge_date: date | None = None
    nhs_number: NhsNumber | None = None
    delays: tuple[DelayDraft, ...] = ()


@dataclass(frozen=True, slots=True)
class CheckContext:
    """What the rules need from outside: the clock, the system's time zone, the delay
    reasons, and (when the caller has them) the units and localities that exist."""

    now: datetime
    max_skew: timedelta
    tz: tzinfo
    reasons: DelayReasons
    units: Collection[str] | None = None
    localities: Collection[str] | None = None
    earliest: datetime = field(default=EARLIEST)

    @property
    def latest(self) -> datetime:
        return self.now + self.max_skew

    @property
    def latest_day(self) -> date:
        return local_date(self.latest, self.tz)


def check_patient(draft: PatientDraft, ctx: CheckContext) -> list[Problem]:
    """Every rule the draft breaks (empty when it is acceptable)."""
    problems = _identity_problems(draft, ctx)
    problems += check_instant("admitted_at", draft.admitted_at, ctx)
    admitted = local_date(draft.admitted_at, ctx.tz)
    problems += check_day("discharge_ready_date", draft.discharge_ready_date, ctx, admitted)
    if draft.expected_discharge_date is not None:
        horizon = local_date(ctx.now, ctx.tz) + EXPECTED_DISCHARGE_HORIZON
        problems += check_day(
            "expected_discharge_date", draft.expected_discharge_date, ctx, admitted, horizon
        )
    return problems + _delay_problems(draft.delays, ctx, admitted)


def check_instant(name: str, value: datetime, ctx: CheckContext) -> list[Problem]:
    """A client-sent time: with an offset, from 2000 on, not in the future."""
    if value.utcoffset() is None:
        return [Problem(name, "missing_offset", f"{name} must carry a UTC offset")]
    if value < ctx.earliest:
        return [Problem(name, "implausible_time", f"{name} is before {ctx.earliest.date()}")]
    if value > ctx.latest:
        return [Problem(name, "future_time", f"{name} is in the future")]
    return []


def check_day(
    name: str, value: date, ctx: CheckContext, admitted: date, latest: date | None = None
) -> list[Problem]:
    """A client-sent day: from 2000 on, not before admission, not after `latest`
    (today, in the system's time zone, unless said otherwise)."""
    if value < ctx.earliest.date():
        return [Problem(name, "implausible_date", f"{name} is before {ctx.earliest.date()}")]
    if value < admitted:
        return [Problem(name, "before_admission", f"{name} is before the day of admission")]
    if latest is None and value > ctx.latest_day:
        return [Problem(name, "future_date", f"{name} is in the future")]
    if latest is not None and value > latest:
        return [Problem(name, "implausible_date", f"{name} is after {latest}")]
    return []


def _identity_problems(draft: PatientDraft, ctx: CheckContext) -> list[Problem]:
    problems = []
    if not LOCAL_REF_PATTERN.fullmatch(draft.local_ref):
        problems.append(
            Problem(
                "local_ref",
                "invalid_format",
                "local_ref must be 1-64 letters, digits or . _ / - (starting with a "
                "letter or digit)",
            )
        )
    for name, value, known in (
        ("unit_id", draft.unit_id, ctx.units),
        ("destination_locality", draft.destination_locality, ctx.localities),
    ):
        if not CODE_PATTERN.fullmatch(value):
            problems.append(Problem(name, "invalid_format", f"{name} is not a valid code"))
        elif known is not None and value not in known:
            # The value is not quoted: a misplaced column could hold personal data.
            problems.append(Problem(name, "unknown_code", f"not a known {name}"))
    return problems


def _delay_problems(
    delays: tuple[DelayDraft, ...], ctx: CheckContext, admitted: date
) -> list[Problem]:
    if len(delays) > MAX_DELAYS:
        return [Problem("delays", "too_many", f"at most {MAX_DELAYS} delays per patient")]
    problems = []
    for i, delay in enumerate(delays):
        prefix = f"delays.{i}"
        if delay.reason not in ctx.reasons:
            problems.append(
                Problem(f"{prefix}.reason", "unknown_reason", "not a known delay reason code")
            )
        problems += check_day(f"{prefix}.from", delay.start, ctx, admitted)
        if delay.end is not None and delay.end < delay.start:
            problems.append(Problem(f"{prefix}.to", "ends_before_start", "to is before from"))
        elif delay.end is not None:
            problems += check_day(f"{prefix}.to", delay.end, ctx, admitted)
        problems += _overlap_problems(delays, i, prefix)
    return problems


def _overlap_problems(delays: tuple[DelayDraft, ...], i: int, prefix: str) -> list[Problem]:
    """The same reason twice over the same days is one wait entered twice."""
    mine = delays[i]
    for j, other in enumerate(delays[:i]):
        if other.reason == mine.reason and _overlap(other, mine):
            return [
                Problem(
                    f"{prefix}.from",
                    "overlapping_delay",
                    f"overlaps delays.{j}, which has the same reason",
                )
            ]
    return []


def _overlap(a: DelayDraft, b: DelayDraft) -> bool:
    # Half-open day ranges; one that ended the day it began covers no day at all.
    a_end, b_end = a.end or date.max, b.end or date.max
    return a.start < a_end and b.start < b_end and a.start < b_end and b.start < a_end


def resolve_delays(delays: tuple[DelayDraft, ...], reasons: DelayReasons) -> tuple[Delay, ...]:
    """Drafts (already checked) as delays, each with its responsible party; one sent
    without a party gets the reason's usual owner."""
    return tuple(
        Delay(
            reason=d.reason,
            responsible=d.responsible or reasons.nctr(d.reason).responsible,
            start=d.start,
            end=d.end,
        )
        for d in delays
    )
