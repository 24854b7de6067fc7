"""Bed-state tables: the current figure per unit, and every accepted report."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from wicc_capacity.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class _BedFigures(SQLModel):
    core_open: int = 0
    escalation_open: int = 0
    occupied: int = 0
    closed: list[dict[str, Any]] = Field(
        default_factory=list,
        sa_type=JSONB,
        nullable=False,
        sa_column_kwargs={"server_default": "[]"},
    )
    reported_by: str | None = None


class BedState(_BedFigures, table=True):
    """The newest accepted figure for a unit (one row per unit)."""

    __tablename__ = "bed_state"
    __table_args__ = {"schema": SCHEMA}

    unit_id: str = Field(primary_key=True, foreign_key="kernel.unit.id")
    as_of: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    updated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    version: int = 0


class BedStateHistory(_BedFigures, table=True):
    """Every accepted report, in the order accepted (older reports get 409, not a row)."""

    __tablename__ = "bed_state_history"
    __table_args__ = (
        Index("ix_bed_history_unit_as_of", "unit_id", "as_of"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    unit_id: str = Field(foreign_key="kernel.unit.id")
    as_of: datetime = Field(sa_column=utc_column())
    recorded_at: datetime = Field(sa_column=utc_column(default_now=True))
