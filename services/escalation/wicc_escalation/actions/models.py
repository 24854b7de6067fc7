"""Actions issued by declared levels, from the action cards, and what became of them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Index, Text, text
from sqlmodel import Field, SQLModel

from wicc_escalation.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class Action(SQLModel, table=True):
    __tablename__ = "opel_action"
    __table_args__ = (
        Index("ix_opel_action_subject_status", "about", "code", "status"),
        Index("ix_opel_action_due", "due_at", postgresql_where=text("status = 'issued'")),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    declaration_id: uuid.UUID = Field(foreign_key="escalation.opel_declaration.id")
    about: str = Field(max_length=12)  # organisation | system
    code: str = Field(max_length=40)  # the declaring organisation's ODS code, or the system's
    system_code: str = Field(max_length=40, index=True)
    kind: str = Field(max_length=20)  # the card kind
    level: int
    card_id: str = Field(max_length=60)
    title: str = Field(max_length=200)
    owner_role: str | None = Field(default=None, max_length=40)
    owner_organisation: str | None = Field(default=None, max_length=20)
    owner_kind: str | None = Field(default=None, max_length=30)
    status: str = Field(max_length=12)  # issued | acknowledged | completed | superseded
    issued_at: datetime = Field(sa_column=utc_column())
    due_at: datetime = Field(sa_column=utc_column())
    overdue_raised: bool = False  # `action.escalated` sent (once)
    escalated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    acknowledged_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    acknowledged_by: str | None = Field(default=None, max_length=64)
    completed_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    completed_by: str | None = Field(default=None, max_length=64)
    note: str | None = Field(default=None, sa_column=Column(Text, nullable=True))
    superseded_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    superseded_by: uuid.UUID | None = None  # the declaration that stepped down
