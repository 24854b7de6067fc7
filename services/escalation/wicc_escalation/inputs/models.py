"""The inputs escalation has learnt from events (never read from another service's
tables): live bed figures per unit, and the figures of sitreps and discharge sitreps."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Integer, text
from sqlmodel import Field, SQLModel

from wicc_escalation.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class UnitBeds(SQLModel, table=True):
    """A unit's latest `beds.updated` figure."""

    __tablename__ = "unit_beds"
    __table_args__ = {"schema": SCHEMA}

    unit_id: str = Field(primary_key=True)
    org_ods: str = Field(index=True)
    bed_area: str
    open: int
    occupied: int
    escalation_open: int = Field(
        default=0, sa_column=Column(Integer, nullable=False, server_default=text("0"))
    )
    as_of: datetime = Field(sa_column=utc_column())
    event_id: uuid.UUID | None = Field(default=None, description="The event that brought it")


class InputFact(SQLModel, table=True):
    """One figure an organisation reported, by the way it arrived (`source`): an ED
    figure, the adult G&A beds or the NCTR count of a sitrep, or the NCTR count of
    the patient-flow discharge sitrep. The latest per source is kept; scoring picks
    the freshest source of each figure."""

    __tablename__ = "input_fact"
    __table_args__ = {"schema": SCHEMA}

    org_ods: str = Field(primary_key=True, max_length=20)
    name: str = Field(primary_key=True, max_length=60)
    source: str = Field(primary_key=True, max_length=30)
    value: float
    as_of: datetime = Field(sa_column=utc_column())
    version: int = Field(description="The source's own version (a sitrep's), 0 if none")
    event_id: uuid.UUID
    event_type: str = Field(max_length=60)
    received_at: datetime = Field(sa_column=utc_column())
