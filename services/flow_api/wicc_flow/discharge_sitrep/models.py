"""The last discharge sitrep announced per trust, and the capacity sitrep figure it is
compared with (learnt from capacity's events, never read from its tables)."""

from __future__ import annotations

from datetime import date, datetime

from sqlmodel import Field, SQLModel

from wicc_flow.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class DischargeSitrepState(SQLModel, table=True):
    """The day and counts of a trust's last `discharge_sitrep.updated`: the day-change
    job recounts a trust whose day has moved on, once, whichever worker gets there."""

    __tablename__ = "discharge_sitrep_state"
    __table_args__ = {"schema": SCHEMA}

    org_ods: str = Field(primary_key=True, max_length=20)
    system_code: str = Field(max_length=40)
    sitrep_date: date
    nctr_patients: int
    as_of: datetime = Field(sa_column=utc_column())
