"""Capacity's own schema, its outbox, and the metadata its migrations describe."""

from __future__ import annotations

from sqlmodel import SQLModel

from wicc_shared.events.outbox import Outbox, outbox_table

SCHEMA = "capacity"
OUTBOX = Outbox(outbox_table(SQLModel.metadata, SCHEMA), source="/capacity")
