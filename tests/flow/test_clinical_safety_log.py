"""The hazard log names real tests: every `file::test` it cites exists (so a renamed or
deleted test cannot leave a control unproved without this failing), and the hazards the
patient-flow issue asked for are all there."""

from __future__ import annotations

import re
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
LOG = ROOT / "docs" / "clinical-safety.md"
CITATION = re.compile(r"`(tests/[\w/]+\.py)::(\w+)`|`::(\w+)`")


def citations() -> list[tuple[str, str]]:
    found, current = [], ""
    for match in CITATION.finditer(LOG.read_text()):
        current = match[1] or current
        found.append((current, match[2] or match[3]))
    return found


def test_every_cited_test_exists() -> None:
    cited = citations()
    assert len(cited) >= 20
    missing = [
        f"{path}::{name}"
        for path, name in cited
        if not re.search(rf"^(async )?def {name}\(", (ROOT / path).read_text(), re.MULTILINE)
    ]
    assert missing == []


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
