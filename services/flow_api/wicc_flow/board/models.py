"""The board hub's checkpoint: its picture at a sequence, so a restart need not
replay the whole event log (which is trimmed)."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from sqlalchemy import BigInteger, Column
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from wicc_flow.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class BoardCheckpoint(SQLModel, table=True):
    __tablename__ = "board_checkpoint"
    __table_args__ = {"schema": SCHEMA}

    id: int = Field(default=1, primary_key=True)
    seq: int = Field(sa_type=BigInteger)
    state: dict[str, Any] = Field(sa_column=Column(JSONB, nullable=False))
    saved_at: datetime = Field(sa_column=utc_column(default_now=True))
