"""Generated care systems for the OPEL benchmark: N acute trusts spread over M systems,
each system with its reference data file and its OPEL system file.

Each trust has one adult G&A unit (so a bed report is its whole live G&A figure and the
occupancy input's `as_of` identifies the report) and one critical-care unit. Every
system's OPEL file scores the acute pillar on the shipped parameter set, weighted by
core G&A beds, with the shipped action cards.
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

import yaml

ROOT = Path(__file__).resolve().parent.parent
SHIPPED = ROOT / "reference" / "opel"
ACUTE_SET = "opel-2024-26-acute-local-v1.yaml"
ACTION_CARDS = "action-cards.yaml"
GA_BEDS = 300


@dataclass(frozen=True)
class Trust:
    ods: str
    system: str

    @property
    def ga_unit(self) -> str:
        return f"{self.ods}-GA"


@dataclass(frozen=True)
class Generated:
    trusts: list[Trust]
    reference_files: list[Path]  # one per system: load each
    opel_files: list[Path]  # one per system: WICC_OPEL_SYSTEM_FILES


def generate(directory: Path, trusts: int, systems: int) -> Generated:
    """`trusts` trusts dealt round-robin over `systems` systems (130 over 42: three or
    four each, as English ICSs have)."""
    opel_dir = directory / "opel"
    opel_dir.mkdir(parents=True, exist_ok=True)
    for name in (ACUTE_SET, ACTION_CARDS):
        shutil.copy(SHIPPED / name, opel_dir / name)
    codes = [f"sys{s:02d}" for s in range(systems)]
    members = [Trust(f"T{t:03d}", codes[t % systems]) for t in range(trusts)]
    reference, opel = [], []
    for code in codes:
        mine = [t for t in members if t.system == code]
        reference.append(_write(directory / f"reference-{code}.yaml", _reference(code, mine)))
        opel.append(_write(opel_dir / f"system-{code}.yaml", _opel_system(code)))
    return Generated(members, reference, opel)


def _reference(code: str, trusts: list[Trust]) -> dict[str, object]:
    return {
        "system": {"code": code, "name": f"Bench system {code}"},
        "organisations": [
            {
                "ods": t.ods,
                "name": f"Bench trust {t.ods}",
                "kind": "acute",
                "sites": [
                    {
                        "code": f"{t.ods}-S",
                        "name": "Main site",
                        "units": [
                            {
                                "id": t.ga_unit,
                                "name": "G&A",
                                "bed_area": "adult_ga",
                                "baseline_beds": GA_BEDS,
                            },
                            {
                                "id": f"{t.ods}-ICU",
                                "name": "ICU",
                                "bed_area": "adult_cc",
                                "baseline_beds": 20,
                            },
                        ],
                    }
                ],
            }
            for t in trusts
        ],
    }


def _opel_system(code: str) -> dict[str, object]:
    return {
        "id": f"system-{code}-bench",
        "name": f"Bench system {code}",
        "system": code,
        "status": "example",
        "notice": "Generated for a benchmark.",
        "action_cards": ACTION_CARDS,
        "pillars": {"acute": {"parameter_set": ACUTE_SET}},
        "levels": [
            {"level": 1, "lower": 0, "upper": 25},
            {"level": 2, "lower": 25, "upper": 50},
            {"level": 3, "lower": 50, "upper": 75},
            {"level": 4, "lower": 75, "upper": 100},
        ],
    }


def _write(path: Path, document: dict[str, object]) -> Path:
    path.write_text(yaml.safe_dump(document, sort_keys=False))
    return path
