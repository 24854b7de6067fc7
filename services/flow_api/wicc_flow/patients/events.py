"""The patient events, built from stored records: WICC's own pseudonymous id and codes
only; never the NHS number, nor the trust's local reference."""

from __future__ import annotations

from wicc_flow.patients.models import Patient
from wicc_shared.catalogue.patients import DelayCode, PatientChanged, PatientStatus


def patient_changed(patient: Patient) -> PatientChanged:
    return PatientChanged(
        patient_id=patient.id,
        org=patient.org_ods,
        system=patient.system_code,
        unit_id=patient.unit_id,
        locality=patient.destination_locality,
        pathway=patient.pathway,
        discharge_ready_date=patient.discharge_ready_date,
        expected_discharge_date=patient.expected_discharge_date,
        status=PatientStatus(patient.status),
        delays=[
            DelayCode(
                reason=d["reason"], responsible=d["responsible"], start=d["from"], end=d["to"]
            )
            for d in patient.delays
        ],
        discharged_at=patient.discharged_at,
        destination=patient.destination,
        withdrawn_at=patient.withdrawn_at,
        withdrawn_reason=patient.withdrawn_reason,
        version=patient.version,
    )
