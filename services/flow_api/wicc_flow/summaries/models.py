"""The summary's tables: every build kept as a version, and the daily figures the next
days' summaries compare against."""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Index, UniqueConstraint, text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from wicc_flow.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class Summary(SQLModel, table=True):
    """One build of one system's summary for one day. A rebuild adds a version; no
    version is ever changed or deleted."""

    __tablename__ = "summary"
    __table_args__ = (
        UniqueConstraint("system_code", "day", "version"),
        # The worker builds a system's day once: the database holds it to that.
        Index(
            "ux_summary_scheduled",
            "system_code",
            "day",
            unique=True,
            postgresql_where=text("trigger = 'scheduled'"),
        ),
        Index("ix_summary_day", "day"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    system_code: str = Field(foreign_key="kernel.care_system.code", max_length=40)
    day: date
    version: int
    built_at: datetime = Field(sa_column=utc_column())
    trigger: str = Field(max_length=20)
    built_by: str = Field(description="API key id, or system:<job> for the worker")
    stale_sources: int
    document: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))


class SummaryFigure(SQLModel, table=True):
    """A figure of a day's summary (the latest build of the day wins), kept so later
    summaries can show yesterday's value, 7-day means and 14-day trends."""

    __tablename__ = "summary_figure"
    __table_args__ = {"schema": SCHEMA}

    system_code: str = Field(primary_key=True, foreign_key="kernel.care_system.code")
    day: date = Field(primary_key=True)
    subject: str = Field(primary_key=True, max_length=40, description="System code or ODS code")
    metric: str = Field(primary_key=True, max_length=60)
    value: float
    unit: str = Field(max_length=20)
    source: str
    as_of: datetime = Field(sa_column=utc_column())
    stale: bool
    recorded_at: datetime = Field(sa_column=utc_column())
