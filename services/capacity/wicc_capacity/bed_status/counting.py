"""How a unit's beds count in its figures (pure).

Open beds are O, U and H; `available` (= open - occupied) must mean "can take a
patient now", so a bed waiting to be cleaned (H) counts as occupied. Closed beds carry
the unit-level closure reason: I and K infection control, C `other`.
"""

from __future__ import annotations

from collections import Counter
from typing import Any

from wicc_shared.catalogue.beds import BedStatusCode, ClosureReason

OPEN_STATUSES = frozenset(
    {BedStatusCode.occupied, BedStatusCode.unoccupied, BedStatusCode.housekeeping}
)
UNAVAILABLE_STATUSES = frozenset({BedStatusCode.occupied, BedStatusCode.housekeeping})
CLOSURE_REASONS = {
    BedStatusCode.isolated: ClosureReason.infection_control,
    BedStatusCode.contaminated: ClosureReason.infection_control,
    BedStatusCode.closed: ClosureReason.other,
}
# Beds of a unit counted by (HL7 status code, escalation bed?)
Counts = dict[tuple[str, bool], int]


def unit_figures(counts: Counts, reported_by: str) -> dict[str, Any]:
    """A unit's figures from its beds counted by (status, escalation)."""
    core_open = escalation_open = occupied = 0
    closed: Counter[ClosureReason] = Counter()
    for (code, escalation), n in counts.items():
        status = BedStatusCode(code)
        if status in OPEN_STATUSES:
            if escalation:
                escalation_open += n
            else:
                core_open += n
            if status in UNAVAILABLE_STATUSES:
                occupied += n
        else:
            closed[CLOSURE_REASONS[status]] += n
    return {
        "core_open": core_open,
        "escalation_open": escalation_open,
        "occupied": occupied,
        # In the reason order of the unit-level schema, so equal counts compare equal.
        "closed": [{"reason": r.value, "count": closed[r]} for r in ClosureReason if closed[r]],
        "reported_by": reported_by,
    }


def by_status(counts: Counts) -> dict[str, int]:
    """Every HL7 status with its number of beds (escalation or not)."""
    totals: Counter[str] = Counter()
    for (code, _escalation), n in counts.items():
        totals[code] += n
    return {s.value: totals[s.value] for s in BedStatusCode}
