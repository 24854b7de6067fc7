"""Stored records as the pure rules' stays, and drafts as stored delays."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from wicc_flow.patients.delay_reasons import DelayReasons
from wicc_flow.patients.models import Patient
from wicc_flow.patients.records import Delay, Pathway, PatientStay, Responsible
from wicc_flow.patients.repository import StayRow
from wicc_flow.patients.validation import DelayDraft, resolve_delays


def stored_delays(drafts: Sequence[DelayDraft], reasons: DelayReasons) -> list[dict[str, Any]]:
    """Checked drafts as the JSON kept on the record, each with its responsible party."""
    return [
        {
            "reason": d.reason,
            "responsible": d.responsible.value,
            "from": d.start.isoformat(),
            "to": d.end.isoformat() if d.end else None,
        }
        for d in resolve_delays(tuple(drafts), reasons)
    ]


def delays_of(stored: Iterable[dict[str, Any]]) -> tuple[Delay, ...]:
    return tuple(
        Delay(
            reason=str(d["reason"]),
            responsible=Responsible(d["responsible"]),
            start=date.fromisoformat(d["from"]),
            end=date.fromisoformat(d["to"]) if d.get("to") else None,
        )
        for d in stored
    )


def drafts_of(stored: Iterable[dict[str, Any]]) -> tuple[DelayDraft, ...]:
    return tuple(
        DelayDraft(reason=d.reason, start=d.start, end=d.end, responsible=d.responsible)
        for d in delays_of(stored)
    )


def to_stay(patient: Patient | StayRow) -> PatientStay:
    return PatientStay(
        id=str(patient.id),
        org=patient.org_ods,
        unit_id=patient.unit_id,
        destination_locality=patient.destination_locality,
        pathway=Pathway(patient.pathway),
        admitted_at=patient.admitted_at,
        discharge_ready_date=patient.discharge_ready_date,
        expected_discharge_date=patient.expected_discharge_date,
        discharged_at=patient.discharged_at,
        withdrawn_at=patient.withdrawn_at,
        delays=delays_of(patient.delays),
    )
