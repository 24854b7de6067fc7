"""The worked examples of docs/patient-flow.md, and stays from them as API bodies, so the
API is tested on the very examples the page documents."""

from __future__ import annotations

import re
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

import yaml

DOC = Path(__file__).resolve().parents[2] / "docs" / "patient-flow.md"
BLOCK = re.compile(r"^```(\w+) ([\w-]+)\n(.*?)^```$", re.MULTILINE | re.DOTALL)
UNITS = {"RNZ": "RNZ-MED-A", "RN3": "RN3-AMU", "RD1": "RD1-AMU"}


def examples(kind: str) -> list[dict[str, Any]]:
    found = BLOCK.findall(DOC.read_text())
    return [yaml.safe_load(body) for lang, name, body in found if (lang, name) == ("yaml", kind)]


def stay_body(spec: dict[str, Any]) -> dict[str, Any]:
    """A `POST /flow/v1/patients` body for one stay of an example (admitted two days
    before its earliest day, so every delay is after admission)."""
    ready: date = spec["ready"]
    delays = spec.get("delays", [])
    earliest = min([ready, *(d["from"] for d in delays)])
    org = spec.get("org", "RNZ")
    return {
        "org": org,
        "unit_id": UNITS[org],
        "local_ref": f"EX-{spec['id']}",
        "admitted_at": datetime.combine(earliest - timedelta(days=2), time(9), UTC).isoformat(),
        "discharge_ready_date": ready.isoformat(),
        "pathway": spec.get("pathway", 1),
        "destination_locality": spec.get("locality", "south"),
        "delays": [
            {
                "reason": d["reason"],
                "responsible": d.get("responsible", "both"),
                "from": d["from"].isoformat(),
                "to": d["to"].isoformat() if d.get("to") else None,
            }
            for d in delays
        ],
    }


def closure(spec: dict[str, Any]) -> tuple[str, dict[str, str]] | None:
    """The discharge or withdrawal of a stay, as (path suffix, body). A stay withdrawn
    and later discharged is withdrawn only: the API closes a record once, and its lost
    days end at the withdrawal either way."""
    if spec.get("withdrawn_at"):
        return "withdraw", {
            "withdrawn_at": spec["withdrawn_at"],
            "reason": "met_criteria_to_reside",
        }
    if spec.get("discharged_at"):
        return "discharge", {"discharged_at": spec["discharged_at"], "destination": "other"}
    return None
