"""Calculated OPEL: the current state of each organisation and system, and every
calculation kept as history."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column, Identity, Index
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from wicc_escalation.tables import SCHEMA
from wicc_shared.kernel.models import utc_column

ORGANISATION = "organisation"
SYSTEM = "system"


class OpelState(SQLModel, table=True):
    """One organisation's or one system's OPEL as it stands: the latest score, the
    damping and divergence state, the declared level, and when a timer is next due.
    Its row is locked while it changes, so calculations of one subject never
    interleave."""

    __tablename__ = "opel_state"
    __table_args__ = {"schema": SCHEMA}

    about: str = Field(primary_key=True, max_length=12)  # organisation | system
    code: str = Field(primary_key=True, max_length=40)  # ODS code, or system code
    system_code: str = Field(index=True, max_length=40)
    pillar: str | None = Field(default=None, max_length=20)
    computed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    level: int | None = None  # the calculated (settled) level shown
    raw_level: int | None = None
    score: float | None = None
    normalised: float | None = None
    partial: bool = False
    explanation: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    damping: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    declared_level: int | None = None
    declared_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    declaration_id: uuid.UUID | None = None
    divergence: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    due_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    calculations: int = 0


class OpelHistory(SQLModel, table=True):
    """Every calculation that changed something, with its whole explanation."""

    __tablename__ = "opel_history"
    __table_args__ = (
        Index("ix_opel_history_subject_time", "about", "code", "computed_at"),
        {"schema": SCHEMA},
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    about: str = Field(max_length=12)
    code: str = Field(max_length=40)
    system_code: str = Field(max_length=40)
    computed_at: datetime = Field(sa_column=utc_column())
    level: int | None = None
    raw_level: int | None = None
    score: float | None = None
    normalised: float | None = None
    partial: bool
    framework: str = Field(max_length=80)
    explanation: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
