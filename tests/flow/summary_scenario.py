"""A Wiltshire morning put in through the public API, for the summary's end-to-end tests.

Yesterday (Wednesday 2 December 2026) Salisbury and Bath sent their sitreps on time,
Great Western late, and Wiltshire Health and Care and AWP none. This morning Salisbury
and Great Western report their adult G&A wards (one Great Western ward last reported
yesterday morning, so its figures are stale); Bath's units have never reported, so
its beds come from its sitrep. Care providers report, one home-care provider's figures
from yesterday evening (stale after 12 hours).
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.builders.care import category, report
from tests.builders.sitreps import sitrep_body
from tests.flow.summary_api import MORNING
from tests.support import Wicc, set_clock

UTC = dt.UTC
YESTERDAY = dt.date(2026, 12, 2)
STALE_UNIT = "RN3-ELDER"
STALE_PROVIDER = "CP-HTLAH-W"


def _ga(core_open: int, core_occupied: int, esc_open: int, esc_occupied: int) -> dict[str, Any]:
    return {
        "bed_area": "adult_ga",
        "core_open": core_open,
        "core_occupied": core_occupied,
        "escalation_open": esc_open,
        "escalation_occupied": esc_occupied,
    }


async def _ok(response: Any) -> None:
    assert response.is_success, response.text


async def yesterdays_sitreps(wicc: Wicc) -> None:
    on_time = dt.datetime(2026, 12, 2, 9, 50, tzinfo=UTC)
    set_clock(wicc, on_time)
    for org, beds in (("RNZ", _ga(140, 131, 6, 6)), ("RD1", _ga(160, 151, 4, 4))):
        body = sitrep_body(org, YESTERDAY, beds=[beds], los_7_plus=50, los_14_plus=20)
        await _ok(await wicc.client.post("/capacity/v1/sitreps", json=body, headers=wicc.auth()))
    set_clock(wicc, dt.datetime(2026, 12, 2, 11, 42, tzinfo=UTC))
    late = sitrep_body("RN3", YESTERDAY, beds=[_ga(170, 166, 9, 9)])
    await _ok(await wicc.client.post("/capacity/v1/sitreps", json=late, headers=wicc.auth()))


async def this_mornings_beds(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    minutes = dt.timedelta(minutes=1)
    infection = [{"reason": "infection_control", "count": 2}]
    reports: list[tuple[str, dict[str, Any], dt.datetime]] = [
        (
            "RNZ-AMU",
            dict(core_open=34, escalation_open=2, occupied=35, closed=infection),
            MORNING - 40 * minutes,
        ),
        (
            "RNZ-MED-A",
            dict(core_open=28, escalation_open=0, occupied=27, closed=[]),
            MORNING - 35 * minutes,
        ),
        (
            "RNZ-MED-B",
            dict(core_open=26, escalation_open=2, occupied=28, closed=infection),
            MORNING - 30 * minutes,
        ),
        (
            "RN3-AMU",
            dict(core_open=48, escalation_open=4, occupied=51, closed=[]),
            MORNING - 25 * minutes,
        ),
        (
            "RN3-MED-1",
            dict(
                core_open=30,
                escalation_open=0,
                occupied=30,
                closed=[{"reason": "staffing", "count": 2}],
            ),
            MORNING - 20 * minutes,
        ),
        (
            STALE_UNIT,
            dict(core_open=30, escalation_open=3, occupied=32, closed=infection),
            dt.datetime(2026, 12, 2, 6, 0, tzinfo=UTC),
        ),
    ]
    for unit, figures, as_of in reports:
        await _ok(await wicc.put_beds(unit, as_of=as_of, **figures))


async def this_mornings_care(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    fresh = MORNING - dt.timedelta(hours=1)
    reports = [
        (
            "CP-HTLAH-N",
            report("dom_care", as_of=fresh, package_starts_per_day=3, spare_hours_per_week=40),
        ),
        (
            STALE_PROVIDER,
            report(
                "dom_care",
                as_of=dt.datetime(2026, 12, 2, 18, 0, tzinfo=UTC),
                package_starts_per_day=5,
                spare_hours_per_week=60,
            ),
        ),
        (
            "CP-HTLAH-S",
            report("dom_care", as_of=fresh, package_starts_per_day=2, spare_hours_per_week=25),
        ),
        ("CP-REABLE", report("reablement", as_of=fresh, package_starts_per_day=4)),
        (
            "WHC",
            report(
                "intermediate_care_step_down",
                as_of=fresh,
                beds_max=60,
                beds_occupied=55,
                beds_vacant_reserved=1,
                beds_vacant_accepting=4,
            ),
        ),
        (
            "WHC",
            report(
                "community_hospital",
                as_of=fresh,
                beds_max=66,
                beds_occupied=63,
                beds_vacant_reserved=0,
                beds_vacant_accepting=3,
            ),
        ),
        (
            "CP-RIDGEWAY",
            report(
                "care_home",
                as_of=fresh,
                categories=[
                    category("nursing", 30, 27, 1, 2),
                    category("residential", 20, 18, 0, 1),
                ],
            ),
        ),
        (
            "CP-AVONVALE",
            report(
                "care_home", as_of=fresh, categories=[category("nursing_dementia", 24, 23, 0, 1)]
            ),
        ),
    ]
    for provider, body in reports:
        response = await wicc.client.put(
            f"/capacity/v1/providers/{provider}/capacity", json=body, headers=wicc.auth()
        )
        await _ok(response)


async def wiltshire_morning(wicc: Wicc) -> None:
    await yesterdays_sitreps(wicc)
    await this_mornings_beds(wicc)
    await this_mornings_care(wicc)
    set_clock(wicc, MORNING)
