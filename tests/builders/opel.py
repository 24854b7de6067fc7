"""OPEL inputs as the events that bring them: sitreps whose figures give chosen OPEL
inputs, and discharge sitreps (patient flow's counts), with keyword defaults."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from tests.builders.events import event_of
from tests.builders.sitreps import sitrep_body
from wicc_shared.catalogue.opel import (
    ACTION_ACKNOWLEDGED,
    ACTION_COMPLETED,
    ACTION_ESCALATED,
    ACTION_ISSUED,
    ACTION_SUPERSEDED,
    OPEL_CALCULATED,
    OPEL_DECLARED,
    ActionChanged,
    OpelAbout,
    OpelCalculated,
    OpelDeclared,
)
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
        valid_until=dt.datetime.combine(as_of.date() + dt.timedelta(days=1), dt.time(0), dt.UTC),
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


def opel_calculated(
    org: str | None = "RNZ",
    *,
    level: int | None = 3,
    score: float = 14,
    stale: tuple[str, ...] = (),
    computed_at: dt.datetime = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC),
    system: str = "wiltshire",
) -> Event:
    """An `opel.calculated` about an organisation (or, with `org=None`, a system)."""
    payload = OpelCalculated(
        about=OpelAbout.organisation if org else OpelAbout.system,
        org=org,
        system=system,
        pillar="acute" if org else None,
        framework="opel-2024-26-acute-local-v1" if org else "system-wiltshire-local-v1",
        config_status="local_unconfirmed",
        computed_at=computed_at,
        level=level,
        raw_level=level,
        level_range=[level, level] if level else None,
        settled_since=computed_at,
        pending_level=None,
        pending_since=None,
        score=score,
        score_range=[score, score],
        max_score=27 if org else 100,
        normalised=round(100 * score / 27, 1),
        partial=bool(stale),
        missing=[],
        stale=list(stale),
        invalid=[],
        excluded=[],
        parameters=[],
        pillars=[],
    )
    return event_of(OPEL_CALCULATED, payload)


def opel_declared(
    org: str | None = "RNZ",
    *,
    level: int = 2,
    declared_at: dt.datetime = dt.datetime(2026, 11, 23, 9, 40, tzinfo=dt.UTC),
    system: str = "wiltshire",
) -> Event:
    payload = OpelDeclared(
        about=OpelAbout.organisation if org else OpelAbout.system,
        org=org,
        system=system,
        declaration_id=uuid.uuid4(),
        level=level,
        previous_level=None,
        calculated_level=3,
        declared_at=declared_at,
        declared_by="tests",
        declared_role="coordinator",
    )
    return event_of(OPEL_DECLARED, payload)


def action_event(
    status: str = "issued",
    *,
    action_id: uuid.UUID | None = None,
    org: str | None = "RNZ",
    due_at: dt.datetime = dt.datetime(2026, 11, 23, 10, 30, tzinfo=dt.UTC),
    changed_at: dt.datetime = dt.datetime(2026, 11, 23, 10, 0, tzinfo=dt.UTC),
    overdue: bool = False,
    system: str = "wiltshire",
) -> Event:
    """An action event: `action.issued` unless `status` says otherwise."""
    payload = ActionChanged(
        about=OpelAbout.organisation if org else OpelAbout.system,
        org=org,
        system=system,
        action_id=action_id or uuid.uuid4(),
        declaration_id=uuid.uuid4(),
        kind="acute" if org else "system",
        level=3,
        card_id="acute-3-director-on-call",
        owner_role="site_manager",
        owner_organisation=None,
        owner_kind=None,
        status=status,
        overdue=overdue,
        issued_at=changed_at,
        due_at=due_at,
        changed_at=changed_at,
        changed_by="tests",
    )
    event_type = {
        "issued": ACTION_ISSUED,
        "acknowledged": ACTION_ACKNOWLEDGED,
        "completed": ACTION_COMPLETED,
        "superseded": ACTION_SUPERSEDED,
    }[status]
    return event_of(ACTION_ESCALATED if overdue else event_type, payload)
