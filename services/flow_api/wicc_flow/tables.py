"""Flow's own schema, its outbox and its inbox."""

from __future__ import annotations

from sqlmodel import SQLModel

from wicc_shared.events.consumer import inbox_table
from wicc_shared.events.outbox import Outbox, outbox_table

SCHEMA = "flow"
OUTBOX = Outbox(outbox_table(SQLModel.metadata, SCHEMA), source="/flow")
# Event ids flow's consumers have applied (the capacity figures it learns from events).
INBOX = inbox_table(SQLModel.metadata, SCHEMA)
# The webhook dispatcher's own record of the events it has fanned out (its consumer
# group's inbox), apart from any other consumer's.
WEBHOOK_INBOX = inbox_table(SQLModel.metadata, SCHEMA, name="webhook_inbox")
