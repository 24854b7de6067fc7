"""Flow's own copies of capacity figures, kept current by its consumer of capacity's
events (services never read each other's tables)."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from wicc_flow.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class CareCapacityFigures(SQLModel, table=True):
    """A provider's latest picture of one service (`care_capacity.updated`): its figure
    rows as the event carried them (one per care-home category, or one)."""

    __tablename__ = "care_capacity"
    __table_args__ = {"schema": SCHEMA}

    provider: str = Field(primary_key=True, max_length=20)
    service_type: str = Field(primary_key=True, max_length=40)
    system_code: str = Field(max_length=40, index=True)
    localities: list[str] = Field(default_factory=list, sa_column=Column(JSONB, nullable=False))
    figures: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    as_of: datetime = Field(sa_column=utc_column())
    version: int


class CapacitySitrepNctr(SQLModel, table=True):
    """A trust's `nctr_patients` from its latest capacity sitrep version for a date."""

    __tablename__ = "capacity_sitrep_nctr"
    __table_args__ = {"schema": SCHEMA}

    org_ods: str = Field(primary_key=True, max_length=20)
    sitrep_date: date = Field(primary_key=True)
    nctr_patients: int
    version: int
    received_at: datetime = Field(sa_column=utc_column())
