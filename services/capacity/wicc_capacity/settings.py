"""The capacity service's settings."""

from __future__ import annotations

from pydantic import Field

from wicc_shared.settings import WiccSettings


class CapacitySettings(WiccSettings):
    # How often a worker looks for sitreps still missing after their deadline.
    sitrep_check_seconds: float = Field(default=30.0, gt=0, le=3600)
    # How often stored Idempotency-Key responses past their 24 h are deleted.
    idempotency_purge_seconds: float = Field(default=3600.0, gt=0)
