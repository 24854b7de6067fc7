"""Every table of every service, for migrations (importing registers them)."""

from __future__ import annotations

from sqlmodel import SQLModel

import wicc_shared.kernel.models  # noqa: F401

SCHEMAS = ("kernel", "capacity", "flow", "escalation")
metadata = SQLModel.metadata
