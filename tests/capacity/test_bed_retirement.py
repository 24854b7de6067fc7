"""Admins can retire a bed and turn a bed-level unit back into a count-level one:
audited, under the unit's lock, and a bed broken by an implausible time before those
were refused can be removed."""

from __future__ import annotations

from typing import Any

from tests.capacity.test_bed_status import UNIT, moment, put_bed, unit_beds
from tests.support import PROBLEM, Wicc, count, events_of, fetch

BEDS = f"/capacity/v1/units/{UNIT}/bed-status"


async def audit_actions(wicc: Wicc) -> list[tuple[str, str, Any]]:
    rows = await fetch(wicc, "SELECT action, entity_id, before FROM kernel.audit_log ORDER BY id")
    return [(r["action"], r["entity_id"], r["before"]) for r in rows]


async def test_an_admin_retires_a_bed_and_its_unit_is_recounted(wicc: Wicc) -> None:
    for bed, status in (("B1", "O"), ("B2", "O"), ("B3", "U")):
        assert (await put_bed(wicc, bed, status)).status_code == 200
    before = await unit_beds(wicc)

    response = await wicc.client.delete(f"{BEDS}/B2", headers=wicc.auth())

    assert response.status_code == 200, response.text
    body = response.json()
    assert body["retired"] == "B2"
    assert body["beds_by_status"]["O"] == 1
    after = await unit_beds(wicc)
    assert (after["core_open"], after["occupied"]) == (2, 1)
    assert after["version"] == before["version"] + 1
    assert after["as_of"] >= before["as_of"]  # never older: readers keep the newer figure
    listed = await wicc.client.get(BEDS, headers=wicc.auth())
    assert [b["bed_id"] for b in listed.json()["items"]] == ["B1", "B3"]
    recounts = await events_of(wicc, "beds.updated", 4)
    assert recounts[-1].data["occupied"] == 1
    assert ("bed.retired", f"{UNIT}/B2") in [(a, e) for a, e, _ in await audit_actions(wicc)]


async def test_retiring_needs_an_admin_and_an_existing_bed(wicc: Wicc) -> None:
    assert (await put_bed(wicc, "B1", "O")).status_code == 200
    manager = await wicc.key("bed_manager", org="RNZ")
    refused = await wicc.client.delete(f"{BEDS}/B1", headers=wicc.auth(manager))
    assert refused.status_code == 403
    missing = await wicc.client.delete(f"{BEDS}/B9", headers=wicc.auth())
    assert missing.status_code == 404
    assert missing.headers["content-type"] == PROBLEM
    for path in (f"{BEDS}/B1", BEDS):
        assert (await wicc.client.delete(path, headers=wicc.auth(manager))).status_code == 403
    assert await count(wicc, "SELECT count(*) FROM capacity.bed") == 1


async def test_a_bed_stored_with_minus_infinity_can_be_retired(wicc: Wicc) -> None:
    """What a year-1 `as_of` left behind before client times were checked."""
    assert (await put_bed(wicc, "B1", "O")).status_code == 200
    assert (await put_bed(wicc, "POISON2", "U")).status_code == 200
    await fetch(wicc, "UPDATE capacity.bed SET as_of = '-infinity' WHERE bed_id = 'POISON2'")

    response = await wicc.client.delete(f"{BEDS}/POISON2", headers=wicc.auth())

    assert response.status_code == 200, response.text
    listed = await wicc.client.get(BEDS, headers=wicc.auth())
    assert listed.status_code == 200
    assert [b["bed_id"] for b in listed.json()["items"]] == ["B1"]
    assert (await put_bed(wicc, "POISON2", "U")).status_code == 200


async def test_a_bed_level_unit_can_report_counts_again(wicc: Wicc) -> None:
    for bed, status in (("B1", "O"), ("B2", "U")):
        assert (await put_bed(wicc, bed, status, as_of=moment(10))).status_code == 200
    figure = await unit_beds(wicc)
    assert (await wicc.put_beds(UNIT)).status_code == 409  # bed-level-unit

    response = await wicc.client.delete(BEDS, headers=wicc.auth())

    assert response.status_code == 200, response.text
    assert response.json() == {"unit_id": UNIT, "retired": ["B1", "B2"]}
    kept = await unit_beds(wicc)  # the figure its beds last counted, unchanged
    assert {k: v for k, v in kept.items() if k != "age_seconds"} == {
        k: v for k, v in figure.items() if k != "age_seconds"
    }
    assert (await wicc.put_beds(UNIT, as_of=moment(1))).status_code == 200
    [(action, entity, before)] = [a for a in await audit_actions(wicc) if a[0].startswith("unit.")]
    assert (action, entity) == ("unit.bed_level_ended", UNIT)
    assert '"B2"' in before
    again = await wicc.client.delete(BEDS, headers=wicc.auth())
    assert again.json() == {"unit_id": UNIT, "retired": []}
