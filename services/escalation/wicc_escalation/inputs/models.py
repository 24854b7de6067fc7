"""Bed figures escalation has learnt from events (never read from capacity's tables)."""

from __future__ import annotations

from datetime import datetime

from sqlmodel import Field, SQLModel

from wicc_escalation.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class UnitBeds(SQLModel, table=True):
    __tablename__ = "unit_beds"
    __table_args__ = {"schema": SCHEMA}

    unit_id: str = Field(primary_key=True)
    org_ods: str = Field(index=True)
    bed_area: str
    open: int
    occupied: int
    as_of: datetime = Field(sa_column=utc_column())
