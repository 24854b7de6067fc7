"""Bed-level status (HL7 v2 table 0116), for trusts that send it."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import UniqueConstraint
from sqlmodel import Field, SQLModel

from wicc_capacity.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class BedStatus(SQLModel, table=True):
    """One physical bed's current status. C closed, H housekeeping, I isolated,
    K contaminated, O occupied, U unoccupied."""

    __tablename__ = "bed"
    __table_args__ = (UniqueConstraint("unit_id", "bed_id"), {"schema": SCHEMA})

    id: int | None = Field(default=None, primary_key=True)
    unit_id: str = Field(foreign_key="kernel.unit.id", index=True)
    bed_id: str = Field(max_length=60)
    status: str = Field(max_length=1)
    escalation: bool = False
    as_of: datetime = Field(sa_column=utc_column())
    reported_by: str
    updated_at: datetime = Field(sa_column=utc_column())
