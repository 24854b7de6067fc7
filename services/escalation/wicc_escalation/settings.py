"""The escalation service's settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from wicc_shared.settings import WiccSettings

DEFAULT_SYSTEM_FILE = Path("reference/opel/system-wiltshire-local-v1.yaml")


class EscalationSettings(WiccSettings):
    # One OPEL system file per care system (each names its parameter sets and action
    # cards, relative to itself). Loaded and checked when every escalation process
    # starts: a broken file stops the process with the file and the key named.
    opel_system_files: list[Path] = Field(
        default_factory=lambda: [DEFAULT_SYSTEM_FILE], min_length=1
    )
    # How often a worker looks for levels due to settle, inputs turning stale and
    # declarations diverging for too long (none of them needs a new input to happen).
    opel_timer_seconds: float = Field(default=30.0, gt=0, le=3600)
    # How often a worker looks for actions not acknowledged by their due time.
    action_overdue_seconds: float = Field(default=30.0, gt=0, le=3600)
