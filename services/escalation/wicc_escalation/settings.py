"""The escalation service's settings."""

from __future__ import annotations

from wicc_shared.settings import WiccSettings


class EscalationSettings(WiccSettings):
    """Nothing of its own yet: OPEL scoring brings its parameter files."""
