"""Sitreps in bulk, as CSV: valid rows accepted and bad rows named, scope, header and
size limits, concurrent uploads."""

from __future__ import annotations

import asyncio

import httpx

from tests.builders.sitreps import CSV_HEADER, csv_row
from tests.capacity.sitrep_api import SITREPS
from tests.support import ADMIN_TOKEN, Wicc, count, events_of, fetch, field_names


async def post_csv(
    wicc: Wicc, text: str, token: str | None = ADMIN_TOKEN, content_type: str = "text/csv"
) -> httpx.Response:
    return await wicc.client.post(
        f"{SITREPS}/bulk",
        content=text.encode(),
        headers=wicc.auth(token) | {"Content-Type": content_type},
    )


async def test_csv_accepts_the_valid_rows_and_names_the_bad_rows_fields(morning: Wicc) -> None:
    wicc = morning
    text = "\n".join(
        [
            CSV_HEADER,
            csv_row("RNZ"),
            csv_row("RN3", ga_occupied=151),  # more core beds occupied than open
            csv_row("RD1"),
            csv_row("RVN", los_7="sixty", cc=","),  # not a number; no critical care
            csv_row("NOWHERE"),
            ",,,,,,,,,,,,,,,,,,",  # a spreadsheet's blank line
        ]
    )
    response = await post_csv(wicc, text + "\n")
    assert response.status_code == 200, response.text
    result = response.json()
    assert [(a["row"], a["org"], a["outcome"]) for a in result["accepted"]] == [
        (2, "RNZ", "created"),
        (4, "RD1", "created"),
    ]
    rejected = {r["row"]: r for r in result["rejected"]}
    assert set(rejected) == {3, 5, 6}
    assert rejected[3]["org"] == "RN3"
    assert rejected[3]["type"] == "urn:wicc:problem:validation-error"
    assert [e["field"] for e in rejected[3]["errors"]] == ["adult_ga_core_occupied"]
    assert [(e["field"], e["code"]) for e in rejected[5]["errors"]] == [
        ("los_7_plus", "int_parsing")
    ]
    assert [e["field"] for e in rejected[6]["errors"]] == ["org"]
    assert (result["accepted_count"], result["rejected_count"]) == (2, 3)

    stored = await fetch(wicc, "SELECT id, org_ods FROM capacity.sitrep ORDER BY org_ods")
    assert {r["org_ods"]: str(r["id"]) for r in stored} == {
        a["org"]: a["id"] for a in result["accepted"]
    }
    assert len(await events_of(wicc, "sitrep.submitted", 2)) == 2

    # The same file again: nothing new, the accepted rows are `unchanged`.
    again = (await post_csv(wicc, text)).json()
    assert [a["outcome"] for a in again["accepted"]] == ["unchanged", "unchanged"]
    assert await count(wicc, "SELECT count(*) FROM capacity.sitrep_version") == 2


async def test_csv_rows_outside_the_keys_scope_are_rejected_alone(morning: Wicc) -> None:
    salisbury = await morning.key("bed_manager", org="RNZ")
    text = "\n".join([CSV_HEADER, csv_row("RN3"), csv_row("RNZ")])
    result = (await post_csv(morning, text, token=salisbury)).json()
    assert [a["org"] for a in result["accepted"]] == ["RNZ"]
    assert [(r["row"], r["status"]) for r in result["rejected"]] == [(2, 403)]
    assert result["rejected"][0]["type"] == "urn:wicc:problem:forbidden"


async def test_a_bad_csv_header_rejects_the_whole_file(morning: Wicc) -> None:
    text = CSV_HEADER.replace("nctr_patients", "nctr") + "\n" + csv_row("RNZ")
    response = await post_csv(morning, text)
    assert response.status_code == 422
    assert field_names(response) == {"nctr_patients", "nctr"}
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 0


async def test_csv_size_and_media_type_limits(morning: Wicc) -> None:
    too_many = "\n".join([CSV_HEADER, *(csv_row("RNZ") for _ in range(501))])
    response = await post_csv(morning, too_many)
    assert response.status_code == 413
    assert response.json()["type"] == "urn:wicc:problem:payload-too-large"
    assert response.json()["max_rows"] == 500

    too_big = CSV_HEADER + "\n" + "x" * (1024 * 1024)
    assert (await post_csv(morning, too_big)).status_code == 413

    as_json = await post_csv(morning, "{}", content_type="application/json")
    assert as_json.status_code == 415
    assert as_json.json()["type"] == "urn:wicc:problem:unsupported-media-type"

    empty = await post_csv(morning, CSV_HEADER + "\n")
    assert empty.status_code == 422 and field_names(empty) == {"body"}
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 0


async def test_concurrent_uploads_in_opposite_orders_do_not_deadlock(morning: Wicc) -> None:
    orgs = ["RNZ", "RN3", "RD1", "RVN"]
    forwards = "\n".join([CSV_HEADER, *(csv_row(org) for org in orgs)])
    backwards = "\n".join([CSV_HEADER, *(csv_row(org) for org in reversed(orgs))])
    responses = await asyncio.gather(
        *(post_csv(morning, text) for text in (forwards, backwards, forwards, backwards))
    )
    assert [r.status_code for r in responses] == [200] * 4, [r.text for r in responses]
    outcomes = sorted(a["outcome"] for r in responses for a in r.json()["accepted"])
    assert outcomes == ["created"] * 4 + ["unchanged"] * 12
    assert await count(morning, "SELECT count(*) FROM capacity.sitrep") == 4
