"""The flow service's settings."""

from __future__ import annotations

from pathlib import Path

from pydantic import Field

from wicc_shared.settings import WiccSettings


class FlowSettings(WiccSettings):
    # Board frames kept for clients resuming with `since` (docs/configuration.md).
    board_history: int = Field(default=10_000, ge=10)
    # Frames one board may fall behind before it is dropped (and resumes).
    board_client_queue: int = Field(default=1_000, ge=1)
    # How long a frame may wait to leave before its board is dropped.
    board_send_timeout_seconds: float = Field(default=10.0, gt=0)
    # How often the worker checks whether a care system's daily summary is due.
    summary_check_seconds: float = Field(default=60.0, gt=0, le=3600)
    # matplotlib's configuration and font cache (MPLCONFIGDIR) for the summary charts;
    # unset: matplotlib's own default (a read-only home falls back to a temporary dir).
    matplotlib_config_dir: Path | None = None
