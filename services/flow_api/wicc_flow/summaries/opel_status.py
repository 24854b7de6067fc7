"""SEAM for OPEL escalation (issue 11): the OPEL part of each area.

Nothing on this branch produces OPEL events, so `opel_status` returns None for every
area and the document says "not available". When escalation lands, the board's
`opel` section gives, per organisation and for the system, the calculated level and
score, any declared level, and the open and overdue action counts; this function turns
one of those into an `OpelStatus`, with yesterday's values from `History` (metrics
`opel.level`, `opel.score`, `opel.overdue_actions`, which `history.recorded` already
records once an area has OPEL). The OPEL freshness source joins `freshness` then.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from wicc_flow.summaries.document import OpelStatus
from wicc_flow.summaries.history import History


def opel_status(
    subject: str, opel: Mapping[str, Any] | None, history: History
) -> OpelStatus | None:
    """The OPEL of `subject` from the board's `opel` section; None while there is none."""
    if not opel:
        return None
    # The `opel` section's shape is defined with it (issue 11); until then no entry is
    # read, rather than guessed at.
    return None
