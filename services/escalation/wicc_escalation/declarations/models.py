"""Declared OPEL levels: every declaration is kept, with who, when and why."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index, Text
from sqlmodel import Field, SQLModel

from wicc_escalation.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class Declaration(SQLModel, table=True):
    __tablename__ = "opel_declaration"
    __table_args__ = (
        Index("ix_opel_declaration_subject_time", "about", "code", "declared_at"),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    about: str = Field(max_length=12)  # organisation | system
    code: str = Field(max_length=40)  # ODS code, or system code
    system_code: str = Field(max_length=40)
    level: int
    previous_level: int | None = None
    calculated_level: int | None = None  # the calculated (settled) level at that moment
    reason: str = Field(sa_column=Column(Text, nullable=False))
    declared_by: str = Field(max_length=64)  # API key id
    declared_role: str = Field(max_length=20)
    declared_at: datetime = Field(sa_column=utc_column())
