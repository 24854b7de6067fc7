"""The discharge-ready list: one row per patient stay, from the day they were ready."""

from __future__ import annotations

import uuid
from datetime import date, datetime
from typing import Any

from sqlalchemy import CheckConstraint, Column, Index, SmallInteger, Text, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from wicc_flow.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class Patient(SQLModel, table=True):
    """A discharge-ready record. The NHS number is kept only encrypted (`nhs_number_token`)
    with its blind index beside it; delays are a JSON list of `{reason, responsible,
    from, to}` (each record's delays are read and written whole)."""

    __tablename__ = "patient"
    __table_args__ = (
        UniqueConstraint("org_ods", "local_ref", name="uq_patient_org_local_ref"),
        # One open record per person per trust: a second one is a duplicate.
        Index(
            "ux_patient_open_nhs_number",
            "org_ods",
            "nhs_number_index",
            unique=True,
            postgresql_where=text("status = 'ready'"),
        ),
        Index("ix_patient_org_status", "org_ods", "status"),
        Index("ix_patient_system_ready", "system_code", "discharge_ready_date"),
        CheckConstraint("pathway BETWEEN 0 AND 3", name="ck_patient_pathway"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    org_ods: str = Field(foreign_key="kernel.organisation.ods", max_length=20)
    system_code: str = Field(max_length=40)
    unit_id: str = Field(max_length=60)
    local_ref: str = Field(max_length=64)
    nhs_number_token: str | None = Field(default=None, sa_column=Column(Text))
    nhs_number_index: str | None = Field(default=None, max_length=64)
    admitted_at: datetime = Field(sa_column=utc_column())
    discharge_ready_date: date
    expected_discharge_date: date | None = None
    pathway: int = Field(sa_type=SmallInteger)
    destination_locality: str = Field(max_length=60)
    delays: list[dict[str, Any]] = Field(
        default_factory=list, sa_column=Column(JSONB, nullable=False)
    )
    status: str = Field(max_length=12)
    discharged_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    destination: str | None = Field(default=None, max_length=40)
    withdrawn_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    withdrawn_reason: str | None = Field(default=None, max_length=40)
    # When it stopped being ready (discharge or withdrawal): what every report cuts on.
    closed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    version: int = 1
    created_at: datetime = Field(sa_column=utc_column())
    created_by: str = Field(max_length=80)
    updated_at: datetime = Field(sa_column=utc_column())
    updated_by: str = Field(max_length=80)
