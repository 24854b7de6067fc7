"""Submitting the daily sitrep through the HTTP API: the first version and its event,
resubmission, conflicts, concurrent submissions, and who may submit or amend."""

from __future__ import annotations

import asyncio

from tests.builders.sitreps import TODAY, amendment, sitrep_body
from tests.capacity.sitrep_api import SITREPS, post_sitrep, put_sitrep
from tests.support import PROBLEM, Wicc, count, events_of, fetch

# --- submitting -------------------------------------------------------------------


async def test_submit_records_version_one_and_announces_it(morning: Wicc) -> None:
    wicc = morning
    token = await wicc.key("bed_manager", org="RNZ")
    response = await post_sitrep(wicc, sitrep_body(), token=token)
    assert response.status_code == 201, response.text
    assert response.headers["location"] == f"{SITREPS}/RNZ/{TODAY}"
    body = response.json()
    assert body["org"] == "RNZ" and body["date"] == TODAY.isoformat() and body["version"] == 1
    assert body["figures"]["beds"][0]["core_occupied"] == 140
    assert body["totals"] == {
        "open": 170,
        "occupied": 156,
        "occupancy_pct": 91.8,
        "escalation_open": 8,
        "nctr_pct_of_occupied": 16.0,
    }
    assert body["late"] is False
    assert body["deadline"].startswith("2026-11-23T11:00:00")
    assert body["submitted_at"].startswith("2026-11-23T09:00:00")

    current = await wicc.client.get(f"{SITREPS}/RNZ/{TODAY}", headers=wicc.auth(token))
    assert current.status_code == 200 and current.json() == body
    [event] = await events_of(wicc, "sitrep.submitted", 1)
    assert event.subject == f"sitreps/RNZ/{TODAY}"
    assert event.data["org"] == "RNZ" and event.data["system"] == "wiltshire"
    assert event.data["totals"]["occupied"] == 156 and "submitted_by" not in event.data
    audit = await fetch(
        wicc, "SELECT action, actor_role, org_ods FROM kernel.audit_log WHERE entity_type='sitrep'"
    )
    assert [tuple(r) for r in audit] == [("sitrep.submitted", "bed_manager", "RNZ")]


async def test_identical_resubmission_is_200_and_records_nothing_new(morning: Wicc) -> None:
    first = await post_sitrep(morning, sitrep_body())
    # Areas in another order are the same figures.
    reordered = sitrep_body()
    reordered["beds"].reverse()
    again = await post_sitrep(morning, reordered)
    assert (first.status_code, again.status_code) == (201, 200)
    assert again.json() == first.json()
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep_version") == 1
    assert await count(morning, "SELECT count(*) FROM capacity.outbox") == 1


async def test_a_different_second_sitrep_is_409_pointing_at_the_amendment(morning: Wicc) -> None:
    assert (await post_sitrep(morning, sitrep_body())).status_code == 201
    response = await post_sitrep(morning, sitrep_body(nctr_patients=26))
    assert response.status_code == 409
    problem = response.json()
    assert response.headers["content-type"] == PROBLEM
    assert problem["type"] == "urn:wicc:problem:sitrep-exists"
    assert problem["amend"] == {"method": "PUT", "href": f"{SITREPS}/RNZ/{TODAY}"}
    assert problem["current_version"] == 1
    current = await morning.client.get(f"{SITREPS}/RNZ/{TODAY}", headers=morning.auth())
    assert current.json()["figures"]["nctr_patients"] == 25


async def test_concurrent_submissions_without_a_key_create_one_sitrep(morning: Wicc) -> None:
    responses = await asyncio.gather(*(post_sitrep(morning, sitrep_body()) for _ in range(4)))
    assert sorted(r.status_code for r in responses) == [200, 200, 200, 201]
    assert len({r.json()["id"] for r in responses}) == 1
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 1


# --- scope --------------------------------------------------------------------------


async def test_a_bed_manager_cannot_submit_or_amend_another_trusts_sitrep(morning: Wicc) -> None:
    wicc = morning
    salisbury = await wicc.key("bed_manager", org="RNZ")
    assert (await post_sitrep(wicc, sitrep_body("RNZ"), token=salisbury)).status_code == 201

    submit = await post_sitrep(wicc, sitrep_body("RN3"), token=salisbury)
    assert submit.status_code == 403
    assert submit.json()["type"] == "urn:wicc:problem:forbidden" and "RN3" in submit.text

    assert (await post_sitrep(wicc, sitrep_body("RN3"))).status_code == 201  # by an admin
    amend = await put_sitrep(wicc, "RN3", TODAY, amendment(nctr_patients=1), token=salisbury)
    assert amend.status_code == 403
    assert await count(wicc, "SELECT count(*) FROM capacity.sitrep WHERE org_ods='RN3'") == 1
    assert await count(wicc, "SELECT max(version) FROM capacity.sitrep WHERE org_ods='RN3'") == 1


async def test_a_viewer_reads_but_cannot_submit(morning: Wicc) -> None:
    viewer = await morning.key("viewer", org="RNZ")
    assert (await post_sitrep(morning, sitrep_body(), token=viewer)).status_code == 403
    await post_sitrep(morning, sitrep_body())
    read = await morning.client.get(f"{SITREPS}/RNZ/{TODAY}", headers=morning.auth(viewer))
    assert read.status_code == 200
    assert (await post_sitrep(morning, sitrep_body(), token=None)).status_code == 401
