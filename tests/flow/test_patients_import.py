"""A trust's daily list as CSV: applied whole or not at all, a broken row named with its
line and column, `snapshot` closing the records the file no longer holds, and the same
file twice changing nothing."""

from __future__ import annotations

import httpx
import pytest

from tests.builders.patient_api import NOW, PATIENTS, at_now, created, nhs_number
from tests.support import Wicc, count, events_of, fetch

HEADER = (
    "local_ref,nhs_number,unit_id,admitted_at,discharge_ready_date,pathway,"
    "destination_locality,delay1_reason,delay1_from"
)


def row(
    ref: str,
    *,
    number: str = "",
    unit: str = "RNZ-MED-A",
    ready: str = "2026-11-20",
    pathway: str = "1",
    locality: str = "south",
    reason: str = "p1_care_at_home",
) -> str:
    return (
        f"{ref},{number},{unit},2026-11-10T09:00:00Z,{ready},{pathway},{locality},{reason},{ready}"
    )


def csv_file(*rows: str) -> bytes:
    return ("\n".join([HEADER, *rows]) + "\n").encode()


async def send(
    wicc: Wicc, data: bytes, *, mode: str = "upsert", org: str = "RNZ", key: str | None = None
) -> httpx.Response:
    headers = wicc.auth() | {"Content-Type": "text/csv"}
    if key is not None:
        headers["Idempotency-Key"] = key
    return await wicc.client.post(
        f"{PATIENTS}/import?org={org}&mode={mode}", content=data, headers=headers
    )


@pytest.fixture
def flow(wicc: Wicc) -> Wicc:
    at_now(wicc)
    return wicc


async def _versions(wicc: Wicc) -> dict[str, tuple[int, str]]:
    rows = await fetch(wicc, "SELECT local_ref, version, status FROM flow.patient")
    return {r["local_ref"]: (r["version"], r["status"]) for r in rows}


async def test_upsert_creates_and_updates_and_the_same_file_twice_changes_nothing(
    flow: Wicc,
) -> None:
    await created(flow, local_ref="A", pathway=2)
    data = csv_file(row("A", number=nhs_number(1)), row("B", pathway="3", reason="p3_care_home"))
    first = await send(flow, data)
    assert first.status_code == 200, first.text
    body = first.json()
    assert (body["created"], body["updated"], body["unchanged"], body["closed"]) == (1, 1, 0, 0)
    assert [(r["line"], r["local_ref"], r["outcome"]) for r in body["rows"]] == [
        (2, "A", "updated"),
        (3, "B", "created"),
    ]
    assert await _versions(flow) == {"A": (2, "ready"), "B": (1, "ready")}
    outbox = await count(flow, "SELECT count(*) FROM flow.outbox")

    again = await send(flow, data)
    assert again.status_code == 200
    assert (again.json()["unchanged"], again.json()["created"], again.json()["updated"]) == (
        2,
        0,
        0,
    )
    assert await _versions(flow) == {"A": (2, "ready"), "B": (1, "ready")}
    assert await count(flow, "SELECT count(*) FROM flow.outbox") == outbox  # no event at all
    # One recount for the whole file, after its last row.
    sitreps = await events_of(flow, "discharge_sitrep.updated", 2)
    assert [e.data["nctr_patients"] for e in sitreps] == [1, 2]


async def test_a_file_with_one_broken_row_applies_nothing_and_names_the_row(flow: Wicc) -> None:
    await created(flow, local_ref="A")
    data = csv_file(
        row("B"),
        row("C", ready="2026-13-01"),  # line 3: no such month
        row("D", unit="RN3-AMU"),  # line 4: another trust's ward
    )
    response = await send(flow, data, mode="snapshot")
    assert response.status_code == 422, response.text
    problem = response.json()
    assert problem["type"] == "urn:wicc:problem:validation-error"
    assert [(e["line"], e["field"], e["code"]) for e in problem["errors"]] == [
        (3, "discharge_ready_date", "invalid_date"),
        (3, "delay1_from", "invalid_date"),
        (4, "unit_id", "unknown_code"),
    ]
    assert "line 3" in problem["detail"]
    # Nothing applied: B not created, and A (absent from the file) not closed.
    assert await _versions(flow) == {"A": (1, "ready")}


async def test_a_snapshot_closes_the_open_records_absent_from_the_file(flow: Wicc) -> None:
    kept = await created(flow, local_ref="A")
    gone = await created(flow, local_ref="B", nhs_number=nhs_number(2))
    discharged = await created(flow, local_ref="C")
    await flow.client.post(
        f"{PATIENTS}/{discharged['id']}/discharge",
        json={"discharged_at": NOW.isoformat(), "destination": "usual_residence"},
        headers=flow.auth(),
    )
    # B's person is now listed under a new reference: the snapshot closes B first.
    response = await send(flow, csv_file(row("A"), row("D", number=nhs_number(2))), mode="snapshot")
    assert response.status_code == 200, response.text
    body = response.json()
    assert body["closed_records"] == [{"id": gone["id"], "local_ref": "B"}]
    closed = (await flow.client.get(f"{PATIENTS}/{gone['id']}", headers=flow.auth())).json()
    assert (closed["status"], closed["destination"]) == ("discharged", "not_recorded")
    assert closed["discharged_at"] == NOW.isoformat().replace("+00:00", "Z")
    versions = await _versions(flow)
    assert versions["A"][1] == versions["D"][1] == "ready" and versions["C"][1] == "discharged"
    assert kept["id"] != gone["id"]
    [event] = [
        e
        for e in await events_of(flow, "patient.discharged", 2)
        if e.data["patient_id"] == gone["id"]
    ]
    assert event.data["destination"] == "not_recorded"
    # The same snapshot again closes nothing more.
    again = (
        await send(flow, csv_file(row("A"), row("D", number=nhs_number(2))), mode="snapshot")
    ).json()
    assert (again["closed"], again["unchanged"]) == (0, 2)


async def test_the_stored_list_refuses_a_closed_reference_or_a_held_number(flow: Wicc) -> None:
    closed = await created(flow, local_ref="A")
    await flow.client.post(
        f"{PATIENTS}/{closed['id']}/withdraw",
        json={"withdrawn_at": NOW.isoformat(), "reason": "died"},
        headers=flow.auth(),
    )
    await created(flow, local_ref="B", nhs_number=nhs_number(4))
    response = await send(flow, csv_file(row("A"), row("B"), row("C", number=nhs_number(4))))
    assert response.status_code == 422
    errors = [(e["line"], e["field"], e["code"]) for e in response.json()["errors"]]
    assert errors == [(2, "local_ref", "closed_record"), (4, "nhs_number", "duplicate_nhs_number")]
    assert nhs_number(4) not in response.text
    assert await count(flow, "SELECT count(*) FROM flow.patient") == 2


async def test_an_empty_nhs_number_cell_keeps_the_stored_number(flow: Wicc) -> None:
    record = await created(flow, local_ref="A", nhs_number=nhs_number(5))
    response = await send(flow, csv_file(row("A", pathway="2")))
    assert response.json()["updated"] == 1
    read = (await flow.client.get(f"{PATIENTS}/{record['id']}", headers=flow.auth())).json()
    assert (read["nhs_number"], read["pathway"]) == (nhs_number(5), 2)


async def test_a_retried_import_with_its_key_is_replayed(flow: Wicc) -> None:
    data = csv_file(row("A"))
    first = await send(flow, data, key="list-2026-11-23")
    again = await send(flow, data, key="list-2026-11-23")
    assert again.headers["idempotent-replayed"] == "true" and again.json() == first.json()
    assert again.json()["created"] == 1


async def test_the_file_must_be_csv_and_name_a_known_trust(flow: Wicc) -> None:
    wrong_type = await flow.client.post(
        f"{PATIENTS}/import?org=RNZ", json={"rows": []}, headers=flow.auth()
    )
    assert wrong_type.status_code == 415
    unknown = await send(flow, csv_file(row("A")), org="NOPE")
    assert unknown.status_code == 422 and unknown.json()["errors"][0]["field"] == "org"
    bad_mode = await send(flow, csv_file(row("A")), mode="merge")
    assert bad_mode.status_code == 422
