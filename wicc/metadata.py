"""Every table of every service, for migrations (importing registers them)."""

from __future__ import annotations

from sqlmodel import SQLModel

import wicc_capacity.beds.models
import wicc_capacity.tables
import wicc_escalation.inputs.models
import wicc_escalation.tables
import wicc_flow.board.models
import wicc_flow.tables
import wicc_shared.kernel.models  # noqa: F401

SCHEMAS = ("kernel", "capacity", "flow", "escalation")
metadata = SQLModel.metadata
