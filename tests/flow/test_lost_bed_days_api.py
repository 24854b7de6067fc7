"""Lost bed days through the API: every worked example of docs/patient-flow.md, listed
through `POST /flow/v1/patients` and counted by `GET /flow/v1/reports/lost-bed-days`."""

from __future__ import annotations

from datetime import date, datetime, time
from typing import Any
from zoneinfo import ZoneInfo

import pytest

from tests.builders.doc_examples import closure, examples, stay_body
from tests.builders.patient_api import PATIENTS, at_now
from tests.support import Wicc, field_names, set_clock

REPORT = "/flow/v1/reports/lost-bed-days"
LONDON = ZoneInfo("Europe/London")
LOST = examples("lost-bed-days")
SPLITS = {
    "org": "by=org",
    "pathway": "by=pathway",
    "locality": "by=locality",
    "reason": "by=reason&reasons=nctr",
    "dtoc": "by=reason&reasons=dtoc",
    "responsible": "by=responsible",
}


def test_every_worked_example_is_here() -> None:
    assert len(LOST) >= 12


async def _list(wicc: Wicc, stays: list[dict[str, Any]]) -> None:
    for spec in stays:
        response = await wicc.client.post(PATIENTS, json=stay_body(spec), headers=wicc.auth())
        assert response.status_code == 201, response.text
        if (closing := closure(spec)) is not None:
            action, body = closing
            closed = await wicc.client.post(
                f"{PATIENTS}/{response.json()['id']}/{action}", json=body, headers=wicc.auth()
            )
            assert closed.status_code == 200, closed.text


async def _report(wicc: Wicc, period: list[date], split: str) -> dict[str, Any]:
    first, last = period
    response = await wicc.client.get(
        f"{REPORT}?system=wiltshire&from={first}&to={last}&{split}", headers=wicc.auth()
    )
    assert response.status_code == 200, response.text
    body: dict[str, Any] = response.json()
    return body


@pytest.mark.parametrize("example", LOST, ids=[f"lost-{i + 1}" for i in range(len(LOST))])
async def test_worked_example_through_the_api(wicc: Wicc, example: dict[str, Any]) -> None:
    today: date = example["today"]
    set_clock(wicc, datetime.combine(today, time(12), LONDON))  # midday on `today`, London
    await _list(wicc, example["stays"])
    total = await _report(wicc, example["period"], "by=org")
    lost: dict[str, int] = example["lost"]
    assert total["bed_days"] == example.get("total", sum(lost.values()))
    assert total["patients"] == example.get("patients", sum(1 for n in lost.values() if n))
    assert total["today"] == today.isoformat()
    for split, expected in example.get("by", {}).items():
        found = await _report(wicc, example["period"], SPLITS[split])
        assert {g["key"]: g["bed_days"] for g in found["groups"]} == {
            str(k): v for k, v in expected.items()
        }
        assert sum(g["bed_days"] for g in found["groups"]) == total["bed_days"]


async def test_groups_are_named_and_the_period_is_checked(wicc: Wicc) -> None:
    at_now(wicc)
    response = await wicc.client.post(
        PATIENTS,
        json=stay_body(
            {
                "id": "A",
                "ready": date(2026, 11, 10),
                "delays": [{"reason": "p3_care_home.nursing", "from": date(2026, 11, 10)}],
            }
        ),
        headers=wicc.auth(),
    )
    assert response.status_code == 201, response.text
    dtoc = await _report(wicc, [date(2026, 11, 1), date(2026, 11, 30)], SPLITS["dtoc"])
    assert dtoc["groups"] == [
        {
            "key": "Dii",
            "name": "Awaiting nursing home placement or availability",
            "bed_days": 13,
            "patients": 1,
        }
    ]
    for query, field in (
        ("system=nowhere&from=2026-11-01&to=2026-11-30", "system"),
        ("system=wiltshire&from=2026-11-30&to=2026-11-01", "from"),
        ("system=wiltshire&from=2024-01-01&to=2026-11-01", "to"),
        ("system=wiltshire&from=2026-11-01&to=2026-11-30&by=colour", "by"),
    ):
        refused = await wicc.client.get(f"{REPORT}?{query}", headers=wicc.auth())
        assert refused.status_code == 422, query
        assert field_names(refused) == {field}
