"""The hazards the patient-flow issue asked for are all in the hazard log (that every
test the log cites exists is `tests/shared/test_clinical_safety_doc.py`)."""

from __future__ import annotations

from pathlib import Path

LOG = Path(__file__).resolve().parents[2] / "docs" / "clinical-safety.md"


def test_the_patient_flow_hazards_are_logged() -> None:
    text = LOG.read_text()
    for hazard in (
        "A patient shown to the wrong organisation",
        "An NHS number on a shared screen",
        "A stale count shown as current",
        "A lost update to a patient record",
        "A delay counted twice",
    ):
        assert f"**{hazard}.**" in text, hazard
