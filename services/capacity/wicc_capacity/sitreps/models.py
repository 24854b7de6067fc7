"""The daily sitrep: one per organisation and date, every version kept."""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any, Protocol

from sqlalchemy import UniqueConstraint
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from wicc_capacity.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class Sitrep(SQLModel, table=True):
    """The current version of an organisation's sitrep for a date."""

    __tablename__ = "sitrep"
    __table_args__ = (UniqueConstraint("org_ods", "sitrep_date"), {"schema": SCHEMA})

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_ods: str = Field(foreign_key="kernel.organisation.ods", index=True)
    sitrep_date: date = Field(index=True)
    version: int = 1
    figures: dict[str, Any] = Field(sa_type=JSONB)
    submitted_by: str
    submitted_at: datetime = Field(sa_column=utc_column())
    amended_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class SitrepRecord(Protocol):
    """What a read of a sitrep needs: a stored `Sitrep`, or a `NewSitrep` about to be."""

    @property
    def id(self) -> uuid.UUID: ...
    @property
    def org_ods(self) -> str: ...
    @property
    def sitrep_date(self) -> date: ...
    @property
    def version(self) -> int: ...
    @property
    def figures(self) -> dict[str, Any]: ...
    @property
    def submitted_by(self) -> str: ...
    @property
    def submitted_at(self) -> datetime: ...
    @property
    def amended_at(self) -> datetime | None: ...


@dataclass(frozen=True, slots=True)
class NewSitrep:
    """A first submission's row, written in one statement with everything it causes
    (`repository.submit_sitrep`). A plain record: building a table model (ORM state,
    per-field defaults) for a row the session never tracks cost more than the rest of
    the submission's Python work put together."""

    org_ods: str
    sitrep_date: date
    figures: dict[str, Any]
    submitted_by: str
    submitted_at: datetime
    id: uuid.UUID = field(default_factory=uuid.uuid4)
    version: int = 1
    amended_at: datetime | None = None


class SitrepVersion(SQLModel, table=True):
    """Every version of every sitrep, with who sent it and (for amendments) why."""

    __tablename__ = "sitrep_version"
    __table_args__ = (UniqueConstraint("sitrep_id", "version"), {"schema": SCHEMA})

    id: int | None = Field(default=None, primary_key=True)
    sitrep_id: uuid.UUID = Field(foreign_key="capacity.sitrep.id", index=True)
    version: int
    figures: dict[str, Any] = Field(sa_type=JSONB)
    submitted_by: str
    reason: str | None = None
    created_at: datetime = Field(sa_column=utc_column())


class SitrepMissing(SQLModel, table=True):
    """Organisations already announced missing for a date (so the event is sent once)."""

    __tablename__ = "sitrep_missing"
    __table_args__ = {"schema": SCHEMA}

    org_ods: str = Field(primary_key=True, foreign_key="kernel.organisation.ods")
    sitrep_date: date = Field(primary_key=True)
    announced_at: datetime = Field(sa_column=utc_column())


class AreaBeds(SQLModel, table=True):
    """An organisation's figures for one bed area, as last reported by a sitrep."""

    __tablename__ = "area_beds"
    __table_args__ = {"schema": SCHEMA}

    org_ods: str = Field(primary_key=True, foreign_key="kernel.organisation.ods")
    bed_area: str = Field(primary_key=True, max_length=40)
    core_open: int
    escalation_open: int
    occupied: int
    as_of: datetime = Field(sa_column=utc_column())
    source: str = Field(default="sitrep", max_length=20)
    reported_by: str
