"""Flow's own schema and outbox."""

from __future__ import annotations

from sqlmodel import SQLModel

from wicc_shared.events.outbox import Outbox, outbox_table

SCHEMA = "flow"
OUTBOX = Outbox(outbox_table(SQLModel.metadata, SCHEMA), source="/flow")
