"""Why a day was red, and whether the ward could fix it today.

Red2Green groups red days as internal (the ward or hospital can act today: a test, a
result not acted on, a senior review, a plan) or external (waiting on something outside
the hospital: a package of care, a bed elsewhere, transport). Codes, never free text:
a red-day reason may reach the board.
"""

from __future__ import annotations

from collections.abc import Mapping
from enum import StrEnum
from typing import Final


class RedReason(StrEnum):
    awaiting_senior_review = "awaiting_senior_review"
    awaiting_test = "awaiting_test"
    awaiting_test_result = "awaiting_test_result"
    awaiting_therapy = "awaiting_therapy"
    awaiting_medicines = "awaiting_medicines"
    awaiting_discharge_summary = "awaiting_discharge_summary"
    no_plan = "no_plan"
    other_internal = "other_internal"
    awaiting_care_package = "awaiting_care_package"
    awaiting_community_bed = "awaiting_community_bed"
    awaiting_care_home = "awaiting_care_home"
    awaiting_equipment = "awaiting_equipment"
    awaiting_transport = "awaiting_transport"
    awaiting_assessment = "awaiting_assessment"
    awaiting_family = "awaiting_family"
    other_external = "other_external"


class Group(StrEnum):
    internal = "internal"
    external = "external"


_INTERNAL: Final = frozenset(
    {
        RedReason.awaiting_senior_review,
        RedReason.awaiting_test,
        RedReason.awaiting_test_result,
        RedReason.awaiting_therapy,
        RedReason.awaiting_medicines,
        RedReason.awaiting_discharge_summary,
        RedReason.no_plan,
        RedReason.other_internal,
    }
)
GROUP: Final[Mapping[RedReason, Group]] = {
    reason: Group.internal if reason in _INTERNAL else Group.external for reason in RedReason
}
