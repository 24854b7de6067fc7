"""The demo picture `make run` seeds: 40-80 discharge-ready patients per acute trust,
spread over pathways, localities and delay reasons, with red and green days, written
through the service (so audited and announced), never an NHS number, and only once."""

from __future__ import annotations

import json
from collections import Counter
from datetime import UTC, datetime

from tests.support import Wicc, fetch
from wicc.demo_patients import seed_demo_patients
from wicc_flow.state import FlowState

NOW = datetime(2026, 11, 23, 10, 0, tzinfo=UTC)


async def test_the_demo_lists_a_believable_wiltshire(wicc: Wicc) -> None:
    flow = wicc.state(FlowState).patients
    async with wicc.runtime.transaction() as session:
        listed = await seed_demo_patients(session, flow, now=NOW)
    rows = await fetch(
        wicc,
        "SELECT org_ods, status, pathway, destination_locality, delays, nhs_number_token "
        "FROM flow.patient",
    )
    assert listed == len(rows)
    per_trust = Counter(r["org_ods"] for r in rows)
    assert set(per_trust) == {"RNZ", "RN3", "RD1"}
    assert all(40 <= n <= 80 for n in per_trust.values()), per_trust
    assert {r["pathway"] for r in rows} == {0, 1, 2, 3}
    assert {r["destination_locality"] for r in rows} == {"north", "west", "south"}
    reasons = {d["reason"] for r in rows for d in json.loads(r["delays"])}
    assert len(reasons) >= 8
    assert all(r["nhs_number_token"] is None for r in rows)
    assert {r["status"] for r in rows} == {"ready", "discharged"}
    days = await fetch(wicc, "SELECT colour, count(*) AS n FROM flow.patient_day GROUP BY colour")
    assert {d["colour"] for d in days} == {"red", "green"}
    outbox = await fetch(wicc, "SELECT type, count(*) AS n FROM flow.outbox GROUP BY type")
    announced = {r["type"]: r["n"] for r in outbox}
    assert announced["patient.listed"] == listed
    assert announced["discharge_sitrep.updated"] >= listed

    async with wicc.runtime.transaction() as session:
        assert await seed_demo_patients(session, flow, now=NOW) == 0  # only when none exist
