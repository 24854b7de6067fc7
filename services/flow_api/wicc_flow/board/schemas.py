"""The board's frames, as models: what a board client receives.

The hub builds its frames as plain JSON for speed; these models describe them for the
AsyncAPI document (`wicc_flow.board.channel`), and the tests check real frames against
that document, so a field added to the board without a word here fails them.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field

from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.catalogue.care import CareCapacityUpdated, CareHomeCategory
from wicc_shared.catalogue.opel import OpelAbout
from wicc_shared.kernel.reference import CareServiceType


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
    opel: BoardOpel | None = Field(
        default=None, description="Absent until an OPEL level is calculated or declared"
    )
