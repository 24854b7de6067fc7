"""Builders for discharge-ready stays and their delays (pure records, no database)."""

from __future__ import annotations

from datetime import date, datetime, time
from functools import cache
from pathlib import Path
from zoneinfo import ZoneInfo

from wicc_flow.patients.delay_reasons import DelayReasons, load_delay_reasons
from wicc_flow.patients.records import Delay, Pathway, PatientStay, Responsible

LONDON = ZoneInfo("Europe/London")
REASONS_FILE = Path(__file__).resolve().parents[2] / "reference" / "delay-reasons" / "v1.yaml"
# A valid NHS number (domain.md); others are made with nhs_number.check_digit.
VALID_NHS_NUMBER = "9434765919"


@cache
def reasons() -> DelayReasons:
    return load_delay_reasons(REASONS_FILE)


def day(iso: str) -> date:
    return date.fromisoformat(iso)


def at(iso_day: str, hour: int = 12, minute: int = 0) -> datetime:
    """A wall-clock time in the system's time zone (Europe/London)."""
    return datetime.combine(day(iso_day), time(hour, minute), tzinfo=LONDON)


def delay(
    reason: str = "p1_care_at_home",
    start: str = "2024-11-10",
    end: str | None = None,
    responsible: Responsible = Responsible.both,
) -> Delay:
    return Delay(
        reason=reason,
        responsible=responsible,
        start=day(start),
        end=day(end) if end else None,
    )


def stay(
    id: str = "stay-1",
    *,
    org: str = "RNZ",
    unit_id: str = "RNZ-WARD-1",
    locality: str = "south",
    pathway: Pathway = Pathway.home_with_support,
    admitted: str = "2024-11-01",
    ready: str = "2024-11-10",
    discharged_at: datetime | None = None,
    withdrawn_at: datetime | None = None,
    delays: tuple[Delay, ...] = (),
) -> PatientStay:
    return PatientStay(
        id=id,
        org=org,
        unit_id=unit_id,
        destination_locality=locality,
        pathway=pathway,
        admitted_at=at(admitted, 9),
        discharge_ready_date=day(ready),
        discharged_at=discharged_at,
        withdrawn_at=withdrawn_at,
        delays=delays,
    )
