"""Escalation's own schema, outbox and inbox."""

from __future__ import annotations

from sqlmodel import SQLModel

from wicc_shared.events.consumer import inbox_table
from wicc_shared.events.outbox import Outbox, outbox_table

SCHEMA = "escalation"
OUTBOX = Outbox(outbox_table(SQLModel.metadata, SCHEMA), source="/escalation")
INBOX = inbox_table(SQLModel.metadata, SCHEMA)
