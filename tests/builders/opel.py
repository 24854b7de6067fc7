"""OPEL inputs as the events that bring them: sitreps whose figures give chosen OPEL
inputs, and discharge sitreps (patient flow's counts), with keyword defaults."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.builders.events import event_of
from tests.builders.sitreps import sitrep_body
from wicc_shared.catalogue.patients import DISCHARGE_SITREP_UPDATED, DischargeSitrepUpdated
from wicc_shared.events.envelope import Event

# docs/opel.md's worked example, as ED figures a sitrep carries.
WORKED_ED = {
    "mean_ambulance_handover_minutes": 42,
    "four_hour_performance_pct": 71.5,
    "ed_majors_resus_occupancy_pct": 104,
    "median_time_to_treatment_minutes": 95,
    "ed_over_12h_pct": 6.2,
    "ed_referred_to_specialty_pct": 28,
}
# Adult G&A beds giving occupancy 96.2 % (band 3), escalation beds 3.1 % of open
# (band 2) and, with 27 NCTR patients, 17.5 % of occupied beds (band 3).
WORKED_GA = {
    "bed_area": "adult_ga",
    "core_open": 155,
    "core_occupied": 149,
    "escalation_open": 5,
    "escalation_occupied": 5,
}
WORKED_POINTS = {
    "mean_ambulance_handover_minutes": 2,
    "four_hour_performance_pct": 1,
    "ed_majors_resus_occupancy_pct": 2,
    "median_time_to_treatment_minutes": 1,
    "ed_over_12h_pct": 2,
    "ed_referred_to_specialty_pct": 1,
    "adult_ga_occupancy_pct": 2,
    "nctr_pct_of_occupied": 2,
    "escalation_beds_pct_of_open": 1,
}


def opel_sitrep(
    org: str = "RNZ",
    date: dt.date | str = dt.date(2026, 11, 23),
    *,
    ed: dict[str, Any] | None = None,
    ga: dict[str, Any] | None = None,
    nctr: int = 27,
    **overrides: Any,
) -> dict[str, Any]:
    """A sitrep body whose figures give the worked example's inputs unless overridden."""
    return sitrep_body(
        org,
        date,
        beds=[WORKED_GA | (ga or {})],
        ed=WORKED_ED | (ed or {}),
        nctr_patients=nctr,
        los_7_plus=20,
        los_14_plus=10,
        los_21_plus=5,
        **overrides,
    )


def calm_ed(**overrides: Any) -> dict[str, Any]:
    """ED figures all in their best band."""
    return {
        "mean_ambulance_handover_minutes": 10,
        "four_hour_performance_pct": 85,
        "ed_majors_resus_occupancy_pct": 70,
        "median_time_to_treatment_minutes": 40,
        "ed_over_12h_pct": 1,
        "ed_referred_to_specialty_pct": 10,
    } | overrides


def discharge_sitrep_updated(
    org: str = "RNZ",
    *,
    remaining: int,
    as_of: dt.datetime,
    system: str = "wiltshire",
) -> Event:
    """Patient flow's recount of a trust's discharge sitrep (its producer is another
    capability: tests publish it themselves)."""
    payload = DischargeSitrepUpdated(
        org=org,
        system=system,
        date=as_of.date(),
        as_of=as_of,
        nctr_patients=remaining + 3,
        discharged=3,
        remaining=remaining,
        by_pathway=[],
        by_reason=[],
        bands=[],
        lost_bed_days=0,
        waiting=[],
        reasons_version="v1",
    )
    return event_of(DISCHARGE_SITREP_UPDATED, payload)
