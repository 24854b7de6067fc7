"""The daily sitrep: one per organisation and date, every version kept."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

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
