"""Every worked example of docs/patient-flow.md, run as written.

The examples are YAML blocks in the page (```yaml lost-bed-days, ```yaml
discharge-sitrep) and CSV excerpts (```csv discharge-sitrep...); this module reads
them from the page itself, so the documented rules cannot drift from the code.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.builders.patients import LONDON, reasons
from wicc_flow.patients import discharge_sitrep, lost_bed_days
from wicc_flow.patients.delay_reasons import Scheme
from wicc_flow.patients.lost_bed_days import Period, Split
from wicc_flow.patients.records import Delay, Pathway, PatientStay, Responsible

DOC = Path(__file__).resolve().parents[2] / "docs" / "patient-flow.md"
BLOCK = re.compile(r"^```(\w+) ([\w-]+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)


def blocks(language: str, kind: str) -> list[str]:
    found = BLOCK.findall(DOC.read_text())
    return [body for lang, name, body in found if (lang, name) == (language, kind)]


def examples(kind: str) -> list[dict[str, Any]]:
    return [yaml.safe_load(body) for body in blocks("yaml", kind)]


def instant(value: str | None) -> datetime | None:
    return None if value is None else datetime.fromisoformat(value)


def stay_from(spec: dict[str, Any]) -> PatientStay:
    ready: date = spec["ready"]
    return PatientStay(
        id=spec["id"],
        org=spec.get("org", "RNZ"),
        unit_id="RNZ-WARD-1",
        destination_locality=spec.get("locality", "south"),
        pathway=Pathway(spec.get("pathway", 1)),
        admitted_at=datetime(2024, 1, 1, 9, tzinfo=LONDON),
        discharge_ready_date=ready,
        discharged_at=instant(spec.get("discharged_at")),
        withdrawn_at=instant(spec.get("withdrawn_at")),
        delays=tuple(
            Delay(
                reason=d["reason"],
                responsible=Responsible(d.get("responsible", "both")),
                start=d["from"],
                end=d.get("to"),
            )
            for d in spec.get("delays", [])
        ),
    )


LOST = examples("lost-bed-days")
SITREPS = examples("discharge-sitrep")


def test_the_page_has_its_worked_examples() -> None:
    # Deleting an example from the page must not quietly delete its test.
    assert len(LOST) >= 12
    assert len(SITREPS) == 1


@pytest.mark.parametrize("example", LOST, ids=[f"lost-{i + 1}" for i in range(len(LOST))])
def test_lost_bed_days_example(example: dict[str, Any]) -> None:
    period = Period(*example["period"])
    today: date = example["today"]
    stays = [stay_from(s) for s in example["stays"]]
    found = {s.id: lost_bed_days.lost_bed_days(s, period, today=today, tz=LONDON) for s in stays}
    assert found == example["lost"]
    for stay_id, expected_days in example.get("days", {}).items():
        [stay] = [s for s in stays if s.id == stay_id]
        days = lost_bed_days.lost_days(stay, period, today=today, tz=LONDON)
        assert [f"{d.day} {d.reason or 'none_recorded'}" for d in days] == expected_days
    for split, expected in example.get("by", {}).items():
        by, scheme = (Split.reason, Scheme.dtoc) if split == "dtoc" else (Split(split), Scheme.nctr)
        result = lost_bed_days.report(
            stays, period, by=by, scheme=scheme, reasons=reasons(), today=today, tz=LONDON
        )
        assert {g.key: g.bed_days for g in result.groups} == {
            str(k): v for k, v in expected.items()
        }
        if "total" in example:
            assert result.bed_days == example["total"]
        if "patients" in example:
            assert result.patients == example["patients"]


def derive(example: dict[str, Any]) -> discharge_sitrep.DischargeSitrep:
    return discharge_sitrep.derive(
        [stay_from(s) for s in example["stays"]],
        org=example["org"],
        day=example["date"],
        reasons=reasons(),
        tz=LONDON,
        capacity_nctr_patients=example.get("capacity_nctr_patients"),
    )


@pytest.mark.parametrize("example", SITREPS)
def test_discharge_sitrep_example(example: dict[str, Any]) -> None:
    sitrep = derive(example)
    expect = example["expect"]
    assert (sitrep.nctr_patients, sitrep.discharged, sitrep.remaining) == (
        expect["nctr_patients"],
        expect["discharged"],
        expect["remaining"],
    )
    assert {
        int(p.pathway): [p.nctr_patients, p.discharged, p.remaining] for p in sitrep.by_pathway
    } == expect["by_pathway"]
    assert {r.reason: r.remaining for r in sitrep.by_reason if r.remaining} == expect["by_reason"]
    for name in ("discharged_bands", "remaining_bands"):
        found = {t.band.name: [t.patients, t.bed_days] for t in getattr(sitrep, name)}
        assert {k: v for k, v in found.items() if v != [0, 0]} == expect[name]
    comparison = sitrep.capacity_comparison
    assert comparison is not None
    assert {
        "derived": comparison.derived,
        "reported": comparison.reported,
        "difference": comparison.difference,
        "differs": comparison.differs,
    } == expect["comparison"]


def test_the_csv_excerpts_are_the_start_and_end_of_the_example_csv() -> None:
    lines = discharge_sitrep.to_csv(derive(SITREPS[0])).splitlines()
    [start] = blocks("csv", "discharge-sitrep-start")
    [end] = blocks("csv", "discharge-sitrep-end")
    head, tail = start.splitlines(), end.splitlines()
    assert len(head) >= 5 and len(tail) >= 3
    assert lines[: len(head)] == head
    assert lines[-len(tail) :] == tail
