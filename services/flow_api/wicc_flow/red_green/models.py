"""One colour per patient per day."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlmodel import Field, SQLModel

from wicc_flow.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class PatientDay(SQLModel, table=True):
    """A patient's day marked red or green; re-recording replaces it (the audit log
    keeps what it was). `org_ods` and `unit_id` are copied from the record when the day
    is recorded, so a ward's share of green days is one indexed read."""

    __tablename__ = "patient_day"
    __table_args__ = {"schema": SCHEMA}

    patient_id: uuid.UUID = Field(primary_key=True, foreign_key="flow.patient.id")
    day: date = Field(primary_key=True, index=True)
    org_ods: str = Field(max_length=20)
    unit_id: str = Field(max_length=60, index=True)
    colour: str = Field(max_length=5)
    reason: str | None = Field(default=None, max_length=40)
    recorded_by: str = Field(max_length=100)
    recorded_key: str = Field(max_length=80)
    recorded_at: datetime = Field(sa_column=utc_column())
