"""Documented examples of escalation's responses, made by the code itself from the
worked example of docs/opel.md (Salisbury, `RNZ`, on the shipped acute set), so an
example can never show a score the rules would not give."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from wicc_escalation.opel.config import load_opel_config, load_parameter_set
from wicc_escalation.opel.damping import SettledLevel
from wicc_escalation.opel.parameter_set import Pillar
from wicc_escalation.opel.schemas import DeclaredRead, WhatIfRead
from wicc_escalation.opel.scoring import InputValue, score_trust, what_if
from wicc_escalation.opel.setup import SystemOpel
from wicc_escalation.opel.system import score_system
from wicc_escalation.opel.views import Standing, parameter_read, summary, system_read

REFERENCE = Path(__file__).resolve().parents[3] / "reference" / "opel"
SYSTEM_FILE = REFERENCE / "system-wiltshire-local-v1.yaml"
NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
SITREP_EVENT = "0b5e8f3c-6d2a-4f0e-9a71-3c2d5e8b9f14"
BEDS_EVENT = "7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f"
WORKED_EXAMPLE = {
    "mean_ambulance_handover_minutes": 42,
    "four_hour_performance_pct": 71.5,
    "ed_majors_resus_occupancy_pct": 104,
    "median_time_to_treatment_minutes": 95,
    "ed_over_12h_pct": 6.2,
    "ed_referred_to_specialty_pct": 28,
    "adult_ga_occupancy_pct": 96.4,
    "nctr_pct_of_occupied": 17.5,
    "escalation_beds_pct_of_open": 3.1,
}
_LIVE = {"adult_ga_occupancy_pct", "escalation_beds_pct_of_open"}

_ACUTE = load_parameter_set(REFERENCE / "opel-2024-26-acute-local-v1.yaml")
_INPUTS = {
    key: InputValue(
        value,
        NOW - timedelta(hours=1),
        BEDS_EVENT if key in _LIVE else SITREP_EVENT,
        "beds.updated" if key in _LIVE else "sitrep.submitted",
    )
    for key, value in WORKED_EXAMPLE.items()
}
_SCORE = score_trust(_ACUTE, _INPUTS, NOW)
_PARAMETERS = [parameter_read(p, NOW).model_dump(mode="json") for p in _SCORE.parameters]
_SETTLED = SettledLevel(3, NOW - timedelta(minutes=40), 3, 14, None, None)
DECLARED: dict[str, Any] = DeclaredRead(
    level=3,
    declared_at=NOW - timedelta(minutes=20),
    declaration_id="5d0f9c1e-2b3a-4e5f-8a9b-1c2d3e4f5a6b",
    age_seconds=1200.0,
).model_dump(mode="json")

ORG_OPEL: dict[str, Any] = {
    "computed_at": "2026-11-23T10:00:00Z",
    "age_seconds": 12.5,
    "level": 3,
    "raw_level": 3,
    "level_range": [3, 3],
    "settled_since": _SETTLED.since.isoformat().replace("+00:00", "Z"),
    "pending_level": None,
    "pending_since": None,
    "partial": False,
    "notice": _ACUTE.notice,
    "config_status": _ACUTE.status.value,
    "declared": DECLARED,
    "divergence": None,
    "org": "RNZ",
    "system": "wiltshire",
    "pillar": "acute",
    "framework": _ACUTE.id,
    "score": _SCORE.score,
    "score_range": list(_SCORE.score_range),
    "min_score": _SCORE.min_score,
    "max_score": _SCORE.max_score,
    "normalised": _SCORE.normalised,
    "normalised_range": list(_SCORE.normalised_range),
    "firm": _SCORE.firm,
    "missing": [],
    "stale": [],
    "invalid": [],
    "parameters": _PARAMETERS,
}

_TRIED = what_if(_ACUTE, _INPUTS, {"adult_ga_occupancy_pct": 99.0}, NOW)
WHAT_IF: dict[str, Any] = WhatIfRead(
    org="RNZ",
    framework=_TRIED.framework,
    computed_at=NOW,
    level=_TRIED.level,
    level_range=list(_TRIED.level_range),
    score=_TRIED.score,
    score_range=list(_TRIED.score_range),
    max_score=_TRIED.max_score,
    normalised=_TRIED.normalised,
    partial=_TRIED.partial,
    missing=[],
    stale=[],
    invalid=[],
    parameters=[parameter_read(p, NOW, {"adult_ga_occupancy_pct"}) for p in _TRIED.parameters],
    current=summary(_SCORE),
    calculated_level=3,
).model_dump(mode="json")

HISTORY_ENTRY: dict[str, Any] = {
    "computed_at": "2026-11-23T09:20:00Z",
    "level": 3,
    "raw_level": 3,
    "score": 14.0,
    "normalised": 51.9,
    "partial": False,
    "framework": _ACUTE.id,
    "parameters": [
        {k: p[k] for k in ("key", "status", "value", "band", "points", "as_of")}
        for p in _PARAMETERS
    ],
}

_SYSTEM = SystemOpel(SYSTEM_FILE, load_opel_config(SYSTEM_FILE))
_LONG_WAITS = InputValue(12.0, NOW - timedelta(hours=1), SITREP_EVENT, "sitrep.submitted")
_RN3 = score_trust(_ACUTE, {**_INPUTS, "ed_over_12h_pct": _LONG_WAITS}, NOW)
_RD1 = score_trust(
    _ACUTE, {k: v for k, v in _INPUTS.items() if k not in _LIVE}, NOW
)  # its bed figures not in yet: partial
_SYSTEM_SCORE = score_system(
    _SYSTEM.system,
    {
        Pillar.acute: {"RNZ": _SCORE, "RN3": _RN3, "RD1": _RD1},
        # No community or mental-health inputs reach WICC yet: named, not estimated.
        **{
            pillar: {ods: score_trust(_SYSTEM.parameter_set(pillar), {}, NOW)}
            for pillar, ods in ((Pillar.community, "WHC"), (Pillar.mental_health, "RVN"))
        },
    },
    {"RNZ": 148.0, "RN3": 176.0, "RD1": 160.0},
    NOW,
)
SYSTEM_OPEL: dict[str, Any] = system_read(
    _SYSTEM,
    _SYSTEM_SCORE,
    Standing(_SYSTEM_SCORE.result.level, _SETTLED, None, None),
    NOW + timedelta(seconds=12.5),
).model_dump(mode="json")

ACTION: dict[str, Any] = {
    "id": "3f9a1c2e-5b6d-4e7f-8a9b-0c1d2e3f4a5b",
    "declaration_id": DECLARED["declaration_id"],
    "about": "organisation",
    "org": "RNZ",
    "system": "wiltshire",
    "kind": "acute",
    "level": 3,
    "card_id": "acute-3-director-on-call",
    "title": "Inform the director on call; site meetings every 2 hours",
    "owner": {"role": "site_manager", "organisation": None, "organisation_kind": None},
    "status": "issued",
    "overdue": False,
    "escalated_at": None,
    "issued_at": "2026-11-23T09:40:00Z",
    "due_at": "2026-11-23T10:10:00Z",
    "due_in_seconds": 600.0,
    "acknowledged_at": None,
    "acknowledged_by": None,
    "completed_at": None,
    "completed_by": None,
    "note": None,
    "superseded_at": None,
    "superseded_by": None,
}
KEY_ID = "6b2f0c4d-1e3a-4b5c-9d8e-7f6a5b4c3d2e"
ACKNOWLEDGED_ACTION = ACTION | {
    "status": "acknowledged",
    "acknowledged_at": "2026-11-23T09:52:00Z",
    "acknowledged_by": KEY_ID,
}
COMPLETED_ACTION = ACKNOWLEDGED_ACTION | {
    "status": "completed",
    "completed_at": "2026-11-23T10:30:00Z",
    "completed_by": KEY_ID,
    "note": "Director on call informed at 09:55; site meetings set for 12:00 and 14:00.",
    "due_in_seconds": -1200.0,
}

DECLARATION: dict[str, Any] = {
    "id": DECLARED["declaration_id"],
    "about": "organisation",
    "org": "RNZ",
    "system": "wiltshire",
    "level": 3,
    "previous_level": 2,
    "calculated_level": 3,
    "reason": "ED at 120 % with 14 ambulances waiting; two wards closed (D&V).",
    "declared_at": "2026-11-23T09:40:00Z",
    "declared_by": KEY_ID,
    "declared_role": "coordinator",
    "age_seconds": 1200.0,
}
DECLARATION_RESULT: dict[str, Any] = DECLARATION | {
    "age_seconds": 0.0,
    "actions_issued": [ACTION],
    "actions_superseded": [],
}
