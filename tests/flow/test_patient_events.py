"""Patient-flow events: each write announced with its change in one transaction; the
recount after every change always the latest, even under concurrent writes; a fresh
recount when a system's day changes; and no NHS number on any event or board frame."""

from __future__ import annotations

import asyncio
import json
from datetime import UTC, datetime, timedelta
from typing import Any

from tests.builders.patient_api import NOW, PATIENTS, TODAY, at_now, created, nhs_number, patch
from tests.support import Wicc, events_of, fetch, next_frame, set_clock
from wicc_flow.state import FlowState

NUMBERS = [nhs_number(i) for i in range(6)]


def _leaks(text: str) -> list[str]:
    forms = {f for n in NUMBERS for f in (n, f"{n[:3]} {n[3:6]} {n[6:]}", n[3:])}
    return sorted(f for f in forms if f in text)


async def _every_write(wicc: Wicc) -> dict[str, Any]:
    a = await created(wicc, local_ref="A", nhs_number=NUMBERS[0])
    b = await created(wicc, local_ref="B", nhs_number=NUMBERS[1], pathway=3)
    c = await created(wicc, local_ref="C", nhs_number=NUMBERS[2])
    assert (await patch(wicc, a["id"], {"nhs_number": NUMBERS[3]}, '"1"')).status_code == 200
    await wicc.client.post(
        f"{PATIENTS}/{b['id']}/discharge",
        json={"discharged_at": NOW.isoformat(), "destination": "care_home_nursing"},
        headers=wicc.auth(),
    )
    await wicc.client.post(
        f"{PATIENTS}/{c['id']}/withdraw",
        json={"withdrawn_at": NOW.isoformat(), "reason": "died"},
        headers=wicc.auth(),
    )
    day = await wicc.client.put(
        f"{PATIENTS}/{a['id']}/days/{TODAY}",
        json={"colour": "red", "reason": "awaiting_care_package", "recorded_by": "Sister"},
        headers=wicc.auth(),
    )
    assert day.status_code == 201
    csv = (
        "local_ref,nhs_number,unit_id,admitted_at,discharge_ready_date,pathway,"
        "destination_locality\n"
        f"D,{NUMBERS[4]},RNZ-MED-B,2026-11-20T08:00:00Z,2026-11-22,2,north\n"
    )
    imported = await wicc.client.post(
        f"{PATIENTS}/import?org=RNZ",
        content=csv.encode(),
        headers=wicc.auth() | {"Content-Type": "text/csv"},
    )
    assert imported.status_code == 200, imported.text
    return a


async def test_no_event_or_board_frame_carries_an_nhs_number(wicc: Wicc) -> None:
    at_now(wicc)
    frames: list[str] = []
    async with wicc.board() as ws:
        frames.append(json.dumps(await next_frame(ws)))
        await _every_write(wicc)
        # Each write's recount reaches the board: 7 changes of the list, one import.
        while sum('"discharge_sitrep.updated"' in f for f in frames) < 7:
            frames.append(json.dumps(await next_frame(ws)))
    events = await wicc.runtime.stream.read_after(0)
    types = {e.type for e in events}
    assert types >= {
        "patient.listed",
        "patient.updated",
        "patient.discharged",
        "patient.withdrawn",
        "patient_day.recorded",
        "discharge_sitrep.updated",
    }
    on_stream = "\n".join(e.model_dump_json() for e in events)
    assert _leaks(on_stream) == []
    assert "local_ref" not in on_stream and "SDH-" not in on_stream
    snapshot = (await wicc.client.get("/flow/v1/board", headers=wicc.auth())).text
    assert _leaks("\n".join([*frames, snapshot])) == []
    # The board shows only the aggregate: no patient event reaches its frames.
    assert not any('"patient.' in f or '"patient_day.' in f for f in frames)
    # The same numbers are in the database, encrypted: the scan could find them if present.
    rows = await fetch(wicc, "SELECT count(*) FROM flow.patient WHERE nhs_number_token IS NOT NULL")
    assert rows[0][0] == 4


async def test_each_change_commits_with_its_event_and_audit_entry(wicc: Wicc) -> None:
    at_now(wicc)
    record = await _every_write(wicc)
    actions = await fetch(
        wicc,
        "SELECT action, count(*) AS n FROM kernel.audit_log "
        "WHERE action LIKE 'patient%' OR action LIKE 'discharge_sitrep%' GROUP BY action",
    )
    outbox = await fetch(wicc, "SELECT type, count(*) AS n FROM flow.outbox GROUP BY type")
    audited = {r["action"]: r["n"] for r in actions if r["action"] != "patient.read"}
    announced = {r["type"]: r["n"] for r in outbox}
    assert audited == announced
    assert announced["patient.listed"] == 4 and announced["discharge_sitrep.updated"] == 7
    [listed] = [
        e
        for e in await events_of(wicc, "patient.listed", 4)
        if e.data["patient_id"] == record["id"]
    ]
    assert listed.subject == f"patients/{record['id']}"
    assert listed.data["org"] == "RNZ" and listed.data["version"] == 1


async def test_the_last_recount_of_a_trust_is_always_its_latest_count(wicc: Wicc) -> None:
    at_now(wicc)
    writers = 12
    responses = await asyncio.gather(
        *(
            wicc.client.post(
                PATIENTS,
                json={
                    "org": "RD1",
                    "unit_id": "RD1-MED-1",
                    "local_ref": f"RUH-{i}",
                    "admitted_at": (NOW - timedelta(days=3)).isoformat(),
                    "discharge_ready_date": str(TODAY),
                    "pathway": i % 4,
                    "destination_locality": "west",
                },
                headers=wicc.auth(),
            )
            for i in range(writers)
        )
    )
    assert [r.status_code for r in responses] == [201] * writers
    recounts = await events_of(wicc, "discharge_sitrep.updated", writers)
    # Serialised by the trust's lock: each recount saw every earlier write, so they run
    # 1, 2, ..., 12 in the order they reached the log, and the last is the truth.
    assert [e.data["nctr_patients"] for e in recounts] == list(range(1, writers + 1))
    board = (await wicc.client.get("/flow/v1/board", headers=wicc.auth())).json()
    for _ in range(100):
        if board.get("patients", {}).get("trusts", [{}])[0].get("nctr_patients") == writers:
            break
        await asyncio.sleep(0.05)
        board = (await wicc.client.get("/flow/v1/board", headers=wicc.auth())).json()
    [trust] = board["patients"]["trusts"]
    assert (trust["org"], trust["nctr_patients"]) == ("RD1", writers)


async def test_a_new_day_recounts_each_trust_once(wicc: Wicc) -> None:
    at_now(wicc)
    await created(wicc, local_ref="A")  # ready two days before NOW
    await created(wicc, org="RN3", unit_id="RN3-AMU", local_ref="B")
    [first, _other] = await events_of(wicc, "discharge_sitrep.updated", 2)
    assert (first.data["date"], first.data["lost_bed_days"]) == (str(TODAY), 2)

    # Five minutes past midnight (London = UTC in November): yesterday's counts are stale.
    set_clock(wicc, datetime(2026, 11, 24, 0, 5, tzinfo=UTC))
    board = (await wicc.client.get("/flow/v1/board", headers=wicc.auth())).json()
    assert [t["stale"] for t in board["patients"]["trusts"]] == [True, True]
    assert board["patients"]["systems"][0]["stale_trusts"] == 2

    scheduler = wicc.runtime.scheduler
    assert scheduler is not None
    job = wicc.state(FlowState).discharge_sitrep_day
    assert await scheduler.run_once(job, force=True)
    recounts = await events_of(wicc, "discharge_sitrep.updated", 4)
    new_day = {e.data["org"]: e.data for e in recounts[2:]}
    assert set(new_day) == {"RNZ", "RN3"}
    assert new_day["RNZ"]["date"] == "2026-11-24"
    assert new_day["RNZ"]["lost_bed_days"] == 3  # one more day lost, at midnight
    assert [b["patients"] for b in new_day["RNZ"]["bands"] if b["band"] == "2-3"] == [1]
    audit = await fetch(
        wicc, "SELECT actor FROM kernel.audit_log WHERE action = 'discharge_sitrep.updated'"
    )
    assert [r["actor"] for r in audit].count("system:discharge-sitrep-day") == 2

    assert await scheduler.run_once(job, force=True)  # the same day again: nothing new
    await asyncio.sleep(0.3)
    assert len(await events_of(wicc, "discharge_sitrep.updated", 5, timeout=0.5)) == 4
    for _ in range(100):
        board = (await wicc.client.get("/flow/v1/board", headers=wicc.auth())).json()
        if not any(t["stale"] for t in board["patients"]["trusts"]):
            break
        await asyncio.sleep(0.05)
    assert [t["date"] for t in board["patients"]["trusts"]] == ["2026-11-24"] * 2
