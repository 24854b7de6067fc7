"""Every time and date a client sends is plausible (2000-2100): a year-1 `as_of` once
became PostgreSQL's `-infinity` and broke a bed for good, and an offset that pushed a
time before year 1 overflowed into a 500."""

from __future__ import annotations

import httpx
import pytest

from tests.builders.care import report
from tests.builders.sitreps import CSV_HEADER, amendment, sitrep_body
from tests.capacity.sitrep_api import SITREPS
from tests.support import PROBLEM, Wicc, count

YEAR_ONE = "0001-01-01T00:00:00Z"  # stored as -infinity before the fix
OVERFLOWING = "0001-01-01T00:00:00+01:00"  # before year 1 in UTC: an OverflowError
FAR_FUTURE = "9999-12-31T23:59:59-01:00"  # after year 9999 in UTC


def implausible(response: httpx.Response, field: str, location: str = "body") -> bool:
    assert response.status_code == 422, response.text
    assert response.headers["content-type"] == PROBLEM
    errors = {(e["field"], e["location"], e["code"]) for e in response.json()["errors"]}
    return (field, location, "implausible_time") in errors


@pytest.mark.parametrize("as_of", [YEAR_ONE, OVERFLOWING, FAR_FUTURE])
async def test_bed_reports_refuse_implausible_times(wicc: Wicc, as_of: str) -> None:
    beds = await wicc.put_beds("RNZ-AMU", as_of=as_of)
    assert implausible(beds, "as_of")
    # A viewer's write is refused for its body before its role: still no 500.
    viewer = await wicc.key("viewer", org="RNZ")
    bed = await wicc.client.put(
        "/capacity/v1/units/RNZ-NNU/bed-status/POISON2",
        json={"status": "U", "as_of": as_of},
        headers=wicc.auth(viewer),
    )
    assert implausible(bed, "as_of")
    assert await count(wicc, "SELECT count(*) FROM capacity.bed") == 0
    # The unit and its beds still read and write as before.
    listed = await wicc.client.get("/capacity/v1/units/RNZ-NNU/bed-status", headers=wicc.auth())
    assert listed.status_code == 200
    later = await wicc.client.put(
        "/capacity/v1/units/RNZ-NNU/bed-status/POISON2",
        json={"status": "U", "as_of": "2026-11-22T08:00:00Z"},
        headers=wicc.auth(),
    )
    assert later.status_code == 200, later.text


async def test_care_reports_refuse_implausible_times(wicc: Wicc) -> None:
    response = await wicc.client.put(
        "/capacity/v1/providers/CP-AVONVALE/capacity",
        json=report("care_home", as_of=OVERFLOWING),
        headers=wicc.auth(),
    )
    assert implausible(response, "as_of")


@pytest.mark.parametrize(
    "path",
    [
        "/capacity/v1/units/RNZ-AMU/beds/history",
        "/capacity/v1/providers/CP-AVONVALE/capacity/history",
    ],
)
async def test_history_bounds_refuse_implausible_times(wicc: Wicc, path: str) -> None:
    for bound in ("from", "to"):
        response = await wicc.client.get(path, params={bound: OVERFLOWING}, headers=wicc.auth())
        assert implausible(response, bound, "query")


async def test_sitrep_dates_refuse_implausible_days(morning: Wicc) -> None:
    wicc = morning
    submitted = await wicc.client.post(
        SITREPS, json=sitrep_body(date="0001-01-01"), headers=wicc.auth()
    )
    assert implausible(submitted, "date")
    amended = await wicc.client.put(
        f"{SITREPS}/RNZ/9999-12-31", json=amendment(), headers=wicc.auth()
    )
    assert implausible(amended, "date", "path")
    status = await wicc.client.get(
        f"{SITREPS}/status",
        params={"system": "wiltshire", "date": "0001-01-01"},
        headers=wicc.auth(),
    )
    assert implausible(status, "date", "query")


async def test_a_csv_row_with_an_implausible_date_is_rejected_by_its_cell(morning: Wicc) -> None:
    row = "RNZ,0001-01-01,150,140,8,6,12,10,60,30,12,4,25,34.5,71.2,104,95,6.1,22.4"
    response = await morning.client.post(
        f"{SITREPS}/bulk",
        content=f"{CSV_HEADER}\n{row}\n".encode(),
        headers=morning.auth() | {"Content-Type": "text/csv"},
    )
    assert response.status_code == 200, response.text
    [rejected] = response.json()["rejected"]
    assert [(e["field"], e["code"]) for e in rejected["errors"]] == [("date", "implausible_time")]
