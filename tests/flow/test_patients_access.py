"""Who sees and changes which records: a trust's keys only its own patients (another
trust's patient is 404, never its data), coordinators and admins read every trust's,
viewers only aggregates; NHS numbers encrypted at rest, shown only to keys that may
change the record, and every read of a record holding one audited."""

from __future__ import annotations

import hashlib
import hmac
import json
from base64 import urlsafe_b64decode
from datetime import timedelta
from pathlib import Path
from uuid import UUID

import pytest

from tests.builders.patient_api import NOW, PATIENTS, TODAY, at_now, created, nhs_number, patch
from tests.support import Wicc, count, fetch
from wicc_flow.patients.nhs_crypto import NhsNumberCipher

WEEK = timedelta(days=7)


@pytest.fixture
def flow(wicc: Wicc) -> Wicc:
    at_now(wicc)
    return wicc


async def _rn3_patient(wicc: Wicc) -> dict[str, object]:
    return await created(
        wicc, org="RN3", unit_id="RN3-AMU", local_ref="GWH-0042", nhs_number=nhs_number(7)
    )


async def test_an_rnz_key_can_neither_read_nor_change_an_rn3_patient(flow: Wicc) -> None:
    record = await _rn3_patient(flow)
    rnz = await flow.key("bed_manager", org="RNZ")
    path = f"{PATIENTS}/{record['id']}"
    attempts = [
        await flow.client.get(path, headers=flow.auth(rnz)),
        await patch(flow, str(record["id"]), {"pathway": 3}, '"1"', token=rnz),
        await flow.client.post(
            f"{path}/discharge",
            json={"discharged_at": NOW.isoformat(), "destination": "other"},
            headers=flow.auth(rnz),
        ),
        await flow.client.post(
            f"{path}/withdraw",
            json={"withdrawn_at": NOW.isoformat(), "reason": "died"},
            headers=flow.auth(rnz),
        ),
        await flow.client.put(
            f"{path}/days/{TODAY}",
            json={"colour": "green", "recorded_by": "x"},
            headers=flow.auth(rnz),
        ),
        await flow.client.get(f"{path}/days", headers=flow.auth(rnz)),
    ]
    for response in attempts:
        assert response.status_code == 404, response.text
        # Never the data: not the trust's reference, nor the NHS number, nor the ward.
        for secret in ("GWH-0042", nhs_number(7), "RN3-AMU"):
            assert secret not in response.text
    listed = await flow.client.get(f"{PATIENTS}?org=RN3", headers=flow.auth(rnz))
    assert listed.json()["items"] == [] and listed.json()["total"] == 0
    everything = await flow.client.get(PATIENTS, headers=flow.auth(rnz))
    assert everything.json()["total"] == 0
    after = (await flow.client.get(path, headers=flow.auth())).json()
    assert (after["version"], after["status"], after["pathway"]) == (1, "ready", 1)
    refused = await flow.client.post(
        f"{PATIENTS}/import?org=RN3",
        content=b"local_ref\n",
        headers=flow.auth(rnz) | {"Content-Type": "text/csv"},
    )
    assert refused.status_code == 403


async def test_an_rnz_key_creates_only_rnz_patients(flow: Wicc) -> None:
    rnz = await flow.key("bed_manager", org="RNZ")
    own = await created(flow, token=rnz)
    assert own["nhs_number"] is None
    other = await flow.client.post(
        PATIENTS,
        json={
            "org": "RN3",
            "unit_id": "RN3-AMU",
            "local_ref": "X",
            "admitted_at": NOW.isoformat(),
            "discharge_ready_date": str(TODAY),
            "pathway": 0,
            "destination_locality": "north",
        },
        headers=flow.auth(rnz),
    )
    assert other.status_code == 404  # the trust's list is out of this key's reach


async def test_coordinators_read_every_trust_without_its_nhs_numbers(flow: Wicc) -> None:
    record = await _rn3_patient(flow)
    coordinator = await flow.key("coordinator", org="RNZ")
    read = await flow.client.get(f"{PATIENTS}/{record['id']}", headers=flow.auth(coordinator))
    assert read.status_code == 200
    assert read.json()["nhs_number"] is None and read.json()["has_nhs_number"] is True
    assert nhs_number(7) not in read.text
    change = await patch(flow, str(record["id"]), {"pathway": 2}, '"1"', token=coordinator)
    assert change.status_code == 403
    listed = await flow.client.get(PATIENTS, headers=flow.auth(coordinator))
    assert [i["local_ref"] for i in listed.json()["items"]] == ["GWH-0042"]


async def test_the_trusts_own_and_system_keys_see_the_nhs_number(flow: Wicc) -> None:
    record = await _rn3_patient(flow)
    for token in (
        await flow.key("integration", org="RN3"),
        await flow.key("bed_manager", system="wiltshire"),
    ):
        read = await flow.client.get(f"{PATIENTS}/{record['id']}", headers=flow.auth(token))
        assert read.status_code == 200 and read.json()["nhs_number"] == nhs_number(7)


async def test_a_viewer_sees_aggregates_only(flow: Wicc) -> None:
    record = await _rn3_patient(flow)
    viewer = await flow.key("viewer", system="wiltshire")
    for path in (f"{PATIENTS}/{record['id']}", PATIENTS, f"{PATIENTS}/{record['id']}/days"):
        response = await flow.client.get(path, headers=flow.auth(viewer))
        assert response.status_code == 403, path
        assert "GWH-0042" not in response.text
    for path in (
        f"/flow/v1/discharge-sitrep/RN3/{TODAY}",
        f"/flow/v1/reports/lost-bed-days?system=wiltshire&from={TODAY - WEEK}&to={TODAY}",
        "/flow/v1/demand-capacity?system=wiltshire",
        f"/flow/v1/red-green?date={TODAY}",
        "/flow/v1/board",
    ):
        response = await flow.client.get(path, headers=flow.auth(viewer))
        assert response.status_code == 200, f"{path}: {response.text}"
        assert "GWH-0042" not in response.text and nhs_number(7) not in response.text


async def test_nhs_numbers_are_encrypted_at_rest_with_a_blind_index(flow: Wicc) -> None:
    record = await _rn3_patient(flow)
    [row] = await fetch(flow, "SELECT * FROM flow.patient WHERE id = $1", UUID(str(record["id"])))
    stored = json.dumps({k: str(v) for k, v in dict(row).items()})
    number = nhs_number(7)
    assert number not in stored and number[3:] not in stored
    keys = json.loads((Path(flow.settings.data_dir) / "nhs-number-keys.json").read_text())
    cipher = NhsNumberCipher(keys["keys"], keys["index_key"])
    assert cipher.decrypt(row["nhs_number_token"]).value == number
    expected = hmac.new(urlsafe_b64decode(keys["index_key"]), number.encode(), hashlib.sha256)
    assert row["nhs_number_index"] == expected.hexdigest()


async def test_every_read_of_a_record_with_an_nhs_number_is_audited(flow: Wicc) -> None:
    with_number = await _rn3_patient(flow)
    await created(flow, local_ref="NO-NUMBER")  # holds none: its reads are not audited
    coordinator = await flow.key("coordinator", org="RNZ")  # reads RN3's, without the number
    await flow.client.get(f"{PATIENTS}/{with_number['id']}", headers=flow.auth())
    await flow.client.get(f"{PATIENTS}/{with_number['id']}", headers=flow.auth(coordinator))
    await flow.client.get(PATIENTS, headers=flow.auth(coordinator))
    rows = await fetch(
        flow,
        "SELECT actor, entity_id, org_ods, after FROM kernel.audit_log "
        "WHERE action = 'patient.read' ORDER BY id",
    )
    assert [r["entity_id"] for r in rows] == [str(with_number["id"])] * 3
    assert [json.loads(r["after"])["nhs_number_shown"] for r in rows] == [True, False, False]
    assert rows[0]["actor"] == "bootstrap-admin" and rows[1]["org_ods"] == "RN3"
    # A read that fails (another trust's key) shows nothing and records nothing.
    rnz = await flow.key("bed_manager", org="RNZ")
    await flow.client.get(f"{PATIENTS}/{with_number['id']}", headers=flow.auth(rnz))
    assert (
        await count(flow, "SELECT count(*) FROM kernel.audit_log WHERE action = 'patient.read'")
        == 3
    )
