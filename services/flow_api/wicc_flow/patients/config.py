"""What the patient-flow rules need from the running service: the delay-reason lists,
the NHS-number cipher, the allowed clock skew and the care freshness limits. Built once
per process from the settings (and by the demo seed, from the same settings)."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import timedelta

from wicc_flow.patients.delay_reasons import DelayReasons, load_delay_reasons
from wicc_flow.patients.keys import cipher_from
from wicc_flow.patients.nhs_crypto import NhsNumberCipher
from wicc_flow.settings import FlowSettings


@dataclass(frozen=True)
class PatientFlow:
    reasons: DelayReasons
    cipher: NhsNumberCipher
    max_skew: timedelta
    care_freshness_hours: Mapping[str, float]

    @property
    def care_freshness(self) -> dict[str, timedelta]:
        return {name: timedelta(hours=h) for name, h in self.care_freshness_hours.items()}


def patient_flow(settings: FlowSettings) -> PatientFlow:
    return PatientFlow(
        reasons=load_delay_reasons(settings.delay_reasons_file),
        cipher=cipher_from(
            settings.nhs_number_keys,
            settings.nhs_number_index_key,
            data_dir=settings.data_dir,
            env=settings.env,
        ),
        max_skew=timedelta(seconds=settings.max_clock_skew_seconds),
        care_freshness_hours=dict(settings.care_freshness_hours),
    )
