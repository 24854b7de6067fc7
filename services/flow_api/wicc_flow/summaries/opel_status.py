"""The OPEL part of each area, from the board's `opel` section (escalation's events).

Per organisation and for the system: the calculated level and score as escalation
last announced them, any declared level, and the open and overdue action counts the
board keeps; yesterday's values come from `History` (metrics `opel.level`,
`opel.score`, `opel.overdue_actions`, recorded by earlier summaries). An area with no
calculated level (no usable input yet, or no OPEL file for it) has no OPEL part: the
document says "not available", never a level nobody calculated.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime, timedelta
from typing import Any

from wicc_flow.summaries.document import OpelStatus, SourceFreshness, source_freshness
from wicc_flow.summaries.figures import Figure, Unit
from wicc_flow.summaries.history import OPEL_LEVEL, OPEL_SCORE, OVERDUE_ACTIONS, History

# As old as a calculation may be before the brief calls it stale: escalation
# recalculates on every input, so a day without one means its inputs stopped.
OPEL_FRESH_FOR = timedelta(hours=24)
BOARD = "flow:/flow/v1/board"


def opel_entries(board_view: Mapping[str, Any], system: str) -> dict[str, Mapping[str, Any]]:
    """The board's OPEL entries of `system`'s organisations and of the system, by code."""
    subjects = (board_view.get("opel") or {}).get("subjects", [])
    return {s["org"] or s["system"]: s for s in subjects if s.get("system") == system}


def opel_source(entry: Mapping[str, Any]) -> str:
    if entry.get("org"):
        return f"escalation:/escalation/v1/orgs/{entry['org']}/opel"
    return f"escalation:/escalation/v1/systems/{entry['system']}/opel"


def opel_status(
    subject: str, entry: Mapping[str, Any] | None, history: History, now: datetime
) -> OpelStatus | None:
    """The OPEL of `subject`; None while it has no calculated level."""
    calculated = (entry or {}).get("calculated") or {}
    if entry is None or calculated.get("level") is None or calculated.get("score") is None:
        return None
    source, stale = opel_source(entry), _is_stale(calculated, now)
    computed_at = _moment(calculated["computed_at"])

    def calculated_figure(value: float, unit: Unit) -> Figure:
        return Figure(value=value, unit=unit, source=source, as_of=computed_at, stale=stale)

    def board_count(value: int) -> Figure:
        # Open and overdue actions as the board counts them at the build.
        return Figure(value=value, unit=Unit.actions, source=f"{BOARD}#opel/{subject}", as_of=now)

    declared = entry.get("declared")
    declared_level = (
        Figure(
            value=declared["level"],
            unit=Unit.opel_level,
            source=source,
            as_of=_moment(declared["declared_at"]),
        )
        if declared
        else None
    )
    calculated_level = calculated_figure(calculated["level"], Unit.opel_level)
    return OpelStatus(
        level=history.tracked(subject, OPEL_LEVEL, declared_level or calculated_level),
        calculated_level=calculated_level,
        declared_level=declared_level,
        score=history.tracked(
            subject, OPEL_SCORE, calculated_figure(calculated["score"], Unit.score)
        ),
        open_actions=board_count(entry["open_actions"]),
        overdue_actions=history.tracked(
            subject, OVERDUE_ACTIONS, board_count(entry["overdue_actions"])
        ),
    )


def opel_sources(
    entries: Mapping[str, Mapping[str, Any]], names: Mapping[str, str], now: datetime
) -> list[SourceFreshness]:
    """One source per area with a calculated level: stale when the calculation names
    stale inputs, or is older than `OPEL_FRESH_FOR`."""
    found = []
    for code, entry in sorted(entries.items()):
        calculated = entry.get("calculated") or {}
        if calculated.get("level") is None:
            continue
        label = f"OPEL, {names.get(code, code)}"
        fresh = source_freshness(
            opel_source(entry), label, _moment(calculated["computed_at"]), OPEL_FRESH_FOR, now
        )
        if calculated.get("stale"):
            inputs = len(calculated["stale"])
            label += f" ({inputs} stale input{'s' if inputs != 1 else ''})"
            fresh = fresh.model_copy(update={"stale": True, "label": label})
        found.append(fresh)
    return found


def _is_stale(calculated: Mapping[str, Any], now: datetime) -> bool:
    age = now - _moment(calculated["computed_at"])
    return bool(calculated.get("stale")) or age > OPEL_FRESH_FOR


def _moment(value: str | datetime) -> datetime:
    return value if isinstance(value, datetime) else datetime.fromisoformat(value)
