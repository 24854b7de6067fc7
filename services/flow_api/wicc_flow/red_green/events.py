"""`patient_day.recorded` from a stored day: codes only (never who recorded it)."""

from __future__ import annotations

from wicc_flow.red_green.models import PatientDay
from wicc_shared.catalogue.patients import PatientDayRecorded


def day_recorded(day: PatientDay, system: str) -> PatientDayRecorded:
    return PatientDayRecorded(
        patient_id=day.patient_id,
        org=day.org_ods,
        system=system,
        unit_id=day.unit_id,
        date=day.day,
        colour=day.colour,
        reason=day.reason,
    )
