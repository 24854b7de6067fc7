"""The board's frames, as models: what a board client receives.

The hub builds its frames as plain JSON for speed; these models describe them for the
AsyncAPI document (`wicc_flow.board.channel`), and the tests check real frames against
that document, so a field added to the board without a word here fails them.
"""

from __future__ import annotations

import datetime as dt
import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.catalogue.care import CareCapacityUpdated, CareHomeCategory
from wicc_shared.catalogue.opel import OpelAbout
from wicc_shared.catalogue.patients import DischargeSitrepUpdated, PathwayCount, WaitingCount
from wicc_shared.kernel.reference import BedArea, CareServiceType


class _Frame(BaseModel):
    model_config = ConfigDict(extra="forbid", frozen=True)


class BoardUnit(BedsUpdated):
    """A unit's latest `beds.updated` payload, with its age when the snapshot was taken."""

    age_seconds: float
    stale: bool = Field(description="Older than the staleness limit (24 hours by default)")


class BoardOrgTotals(_Frame):
    """One organisation's totals over its units (stale units included, and counted)."""

    org: str
    open: int
    escalation_open: int
    occupied: int
    available: int
    closed: int
    stale_units: int
    oldest_as_of: datetime | None = Field(description="The stalest unit figure included")
    occupancy_pct: float | None


class BoardCareProvider(CareCapacityUpdated):
    """A provider's latest `care_capacity.updated` payload, with its age and freshness
    as judged when the snapshot was taken."""

    age_seconds: float
    stale: bool


class BoardCareTotals(_Frame):
    """Figures summed per service type (care homes also per category), for the system
    (`locality` null) and each locality; fresh and stale providers apart."""

    service_type: CareServiceType
    category: CareHomeCategory | None
    locality: str | None
    providers: int
    fresh_providers: int
    stale_providers: int
    fresh: dict[str, float]
    stale: dict[str, float]
    oldest_fresh_as_of: datetime | None


class BoardCare(_Frame):
    providers: list[BoardCareProvider]
    totals: list[BoardCareTotals]


class BoardTrustDischarges(DischargeSitrepUpdated):
    """A trust's latest `discharge_sitrep.updated` payload, with its age; `stale` once
    its day is over (`valid_until`) and no recount for the new day has arrived."""

    age_seconds: float
    stale: bool


class BoardSystemDischarges(_Frame):
    """A system's trusts added up (stale counts included, and counted)."""

    system: str
    trusts: int
    stale_trusts: int
    oldest_as_of: datetime
    nctr_patients: int
    discharged: int
    remaining: int
    lost_bed_days: int
    by_pathway: list[PathwayCount]
    waiting: list[WaitingCount] = Field(description="Remaining patients by locality and pathway")


class BoardDemandCell(_Frame):
    """Patients waiting to go to a locality on a pathway (1-3) against the care free
    there in fresh figures; stale figures summed apart, never into the gap."""

    system: str
    locality: str
    pathway: int
    waiting: int
    fresh_free: int
    stale_free: int
    gap: int = Field(description="waiting - fresh_free")
    oldest_fresh_as_of: datetime | None


class BoardPatients(_Frame):
    trusts: list[BoardTrustDischarges]
    systems: list[BoardSystemDischarges]
    demand_capacity: list[BoardDemandCell]


class BoardSitrepDay(_Frame):
    """One organisation's return for one sitrep date."""

    date: dt.date
    status: Literal["on_time", "late", "missed"] = Field(
        description="`missed`: announced missing at the deadline, nothing received since"
    )
    version: int | None = Field(description="Null while missed")
    submitted_at: datetime | None = Field(description="First submitted; null while missed")
    amended_at: datetime | None
    deadline: datetime


class BoardSitrepArea(_Frame):
    """A bed area's figures from the organisation's latest sitrep giving that area."""

    bed_area: BedArea
    date: dt.date = Field(description="The sitrep date the figures come from")
    core_open: int
    escalation_open: int
    occupied: int


class BoardSitreps(BoardSitrepDay):
    """An organisation's sitrep returns: its latest date known (these fields), the most
    recent dates (newest first, up to 7) and its latest sitrep figure per bed area."""

    org: str
    system: str
    recent: list[BoardSitrepDay]
    areas: list[BoardSitrepArea]


class BoardOpelCalculated(_Frame):
    """The latest `opel.calculated` of a subject, without its parameters."""

    level: int | None = Field(description="The calculated (settled) level")
    raw_level: int | None
    level_range: list[int] | None
    pending_level: int | None
    pending_since: datetime | None
    score: float | None
    max_score: float
    normalised: float | None
    partial: bool
    missing: list[str]
    stale: list[str]
    invalid: list[str]
    excluded: list[str] = Field(description="A system's pillars and members without data")
    computed_at: datetime
    framework: str
    config_status: str


class BoardOpelDeclared(_Frame):
    """The latest `opel.declared` of a subject."""

    level: int
    previous_level: int | None
    declared_at: datetime
    declaration_id: uuid.UUID


class BoardOpelSubject(_Frame):
    """An organisation's or a system's OPEL on the board."""

    about: OpelAbout
    org: str | None = Field(description="Null for a system")
    system: str
    calculated: BoardOpelCalculated | None
    declared: BoardOpelDeclared | None
    open_actions: int
    overdue_actions: int = Field(description="Open, not acknowledged by their due time")


class BoardOpelAction(_Frame):
    """An open action (issued or acknowledged)."""

    action_id: uuid.UUID
    about: OpelAbout
    org: str | None
    system: str
    level: int
    card_id: str
    status: str
    overdue: bool = Field(description="Not acknowledged at its due time, as of the snapshot")
    due_at: datetime


class BoardOpel(_Frame):
    subjects: list[BoardOpelSubject] = Field(description="Organisations and systems, by key")
    actions: list[BoardOpelAction] = Field(description="Open actions, soonest due first")


class SnapshotFrame(_Frame):
    """The whole board at `seq`: it replaces the client's picture."""

    kind: Literal["snapshot"]
    seq: int = Field(ge=0, description="The event log position it reflects; resume with it")
    generated_at: datetime
    units: list[BoardUnit] = Field(description="Every unit that has reported, by unit_id")
    orgs: list[BoardOrgTotals]
    care: BoardCare | None = Field(
        default=None, description="Absent until a care provider has reported"
    )
    patients: BoardPatients | None = Field(
        default=None, description="Absent until a trust has a discharge-ready list"
    )
    sitreps: list[BoardSitreps] | None = Field(
        default=None, description="Absent until a sitrep event; one entry per organisation"
    )
    opel: BoardOpel | None = Field(
        default=None, description="Absent until an OPEL level is calculated or declared"
    )
