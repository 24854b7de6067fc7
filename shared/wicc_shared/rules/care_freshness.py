"""When a care-capacity figure stops counting as current.

Stale vacancies (beds shown that have long gone) are the classic failure of capacity
boards, so every care figure has a freshness limit by service type: home care and urgent
care at home are brokered through the day and age faster than bed vacancies, which follow
the daily reporting rhythm. A figure is stale once older than its limit (exactly at the
limit it is not). Limits are settings (`WICC_CARE_FRESHNESS_HOURS`) over these defaults.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import datetime, timedelta

DEFAULT_CARE_FRESHNESS_HOURS: Mapping[str, float] = {
    "dom_care": 12.0,
    "reablement": 24.0,
    "urgent_care_at_home": 12.0,
    "intermediate_care_step_up": 24.0,
    "intermediate_care_step_down": 24.0,
    "community_hospital": 24.0,
    "care_home": 24.0,
}


def freshness_limit(service_type: str, limits: Mapping[str, float]) -> timedelta:
    # Settings always carry every type; the defaults only cover a caller passing a subset.
    return timedelta(hours=limits.get(service_type, DEFAULT_CARE_FRESHNESS_HOURS[service_type]))


@dataclass(frozen=True, slots=True)
class CareFreshness:
    as_of: datetime
    age_seconds: float
    fresh_until: datetime
    stale: bool


def assess(
    as_of: datetime, service_type: str, limits: Mapping[str, float], now: datetime
) -> CareFreshness:
    fresh_until = as_of + freshness_limit(service_type, limits)
    return CareFreshness(
        as_of=as_of,
        age_seconds=(now - as_of).total_seconds(),
        fresh_until=fresh_until,
        stale=now > fresh_until,
    )
