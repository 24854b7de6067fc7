"""Care-package capacity outside hospital: current figure and history per
provider, service type and (for care homes) bed category."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import BigInteger, Column, Identity, Index
from sqlmodel import Field, SQLModel

from wicc_capacity.tables import SCHEMA
from wicc_shared.kernel.models import utc_column

NO_CATEGORY = ""  # services other than care homes have no bed category


class _CareFigures(SQLModel):
    package_starts_per_day: int | None = None
    spare_hours_per_week: float | None = None
    slots: int | None = None
    beds_max: int | None = None
    beds_occupied: int | None = None
    beds_vacant_reserved: int | None = None
    beds_vacant_accepting: int | None = None
    reported_by: str


class CareCapacity(_CareFigures, table=True):
    __tablename__ = "care_capacity"
    __table_args__ = {"schema": SCHEMA}

    provider_ods: str = Field(primary_key=True, foreign_key="kernel.organisation.ods")
    service_type: str = Field(primary_key=True, max_length=40)
    category: str = Field(default=NO_CATEGORY, primary_key=True, max_length=40)
    as_of: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
    version: int = 1


class CareCapacityHistory(_CareFigures, table=True):
    __tablename__ = "care_capacity_history"
    __table_args__ = (
        Index("ix_care_history_key_as_of", "provider_ods", "service_type", "category", "as_of"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    provider_ods: str = Field(foreign_key="kernel.organisation.ods")
    service_type: str = Field(max_length=40)
    category: str = Field(default=NO_CATEGORY, max_length=40)
    as_of: datetime = Field(sa_column=utc_column())
    recorded_at: datetime = Field(sa_column=utc_column(default_now=True))
