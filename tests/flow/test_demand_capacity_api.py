"""Demand against capacity: patients waiting per locality and pathway against the care
free to take them, learnt from the capacity service's events (flow never reads its
tables), stale figures shown with their age and never counted; the board shows the
same cells, by the same rule."""

from __future__ import annotations

import asyncio
from datetime import timedelta
from typing import Any

import pytest

from tests.builders.care import category, report
from tests.builders.patient_api import NOW, at_now, created
from tests.support import Wicc, field_names

DEMAND = "/flow/v1/demand-capacity?system=wiltshire"


async def _care(wicc: Wicc, provider: str, body: dict[str, Any]) -> None:
    response = await wicc.client.put(
        f"/capacity/v1/providers/{provider}/capacity", json=body, headers=wicc.auth()
    )
    assert response.status_code in (200, 201), response.text


async def _cells(wicc: Wicc, until: int) -> dict[tuple[str, int], dict[str, Any]]:
    """The cells once `until` providers' figures have reached flow (bounded wait)."""
    for _ in range(200):
        response = await wicc.client.get(DEMAND, headers=wicc.auth())
        assert response.status_code == 200, response.text
        cells = {(c["locality"], c["pathway"]): c for c in response.json()["cells"]}
        providers = {
            f["provider"] for c in cells.values() for ln in c["lines"] for f in ln["figures"]
        }
        if len(providers) >= until:
            return cells
        await asyncio.sleep(0.05)
    raise AssertionError("care capacity never reached the flow service")


@pytest.fixture
async def picture(wicc: Wicc) -> Wicc:
    at_now(wicc)
    for ref in ("S1", "S2", "S3"):
        await created(wicc, local_ref=ref, pathway=1)
    await created(wicc, local_ref="S4", pathway=3, delays=[])
    await created(wicc, local_ref="N1", pathway=2, destination_locality="north", delays=[])
    await created(wicc, local_ref="Z0", pathway=0, delays=[])  # needs no new care
    await _care(
        wicc,
        "CP-HTLAH-S",
        report(
            "dom_care",
            as_of=NOW - timedelta(hours=1),
            package_starts_per_day=2,
            spare_hours_per_week=30,
        ),
    )
    # Reablement's figure is 30 hours old: past its 24-hour limit, so stale.
    await _care(
        wicc,
        "CP-REABLE",
        report("reablement", as_of=NOW - timedelta(hours=30), package_starts_per_day=1),
    )
    await _care(
        wicc,
        "CP-DOWNLAND",
        report(
            "care_home",
            as_of=NOW - timedelta(hours=2),
            categories=[category("nursing", 30, 27, 1, 2), category("residential", 10, 10, 0, 0)],
        ),
    )
    return wicc


async def test_waiting_against_fresh_free_care_per_locality_and_pathway(picture: Wicc) -> None:
    cells = await _cells(picture, until=3)
    assert set(cells) == {(loc, p) for loc in ("north", "south", "west") for p in (1, 2, 3)}
    home = cells[("south", 1)]
    assert (home["waiting"], home["fresh_free"], home["stale_free"], home["gap"]) == (3, 2, 1, 1)
    assert home["oldest_fresh_as_of"] == (NOW - timedelta(hours=1)).isoformat().replace(
        "+00:00", "Z"
    )
    assert home["age_seconds"] == 3600.0
    [reablement] = [ln for ln in home["lines"] if ln["service_type"] == "reablement"]
    [figure] = reablement["figures"]
    assert (figure["provider"], figure["stale"], figure["age_seconds"]) == (
        "CP-REABLE",
        True,
        108000.0,
    )
    care_home = cells[("south", 3)]
    assert (care_home["waiting"], care_home["fresh_free"], care_home["gap"]) == (1, 2, -1)
    assert {ln["category"]: ln["fresh_free"] for ln in care_home["lines"]} == {
        "nursing": 2,
        "residential": 0,
    }
    bed = cells[("north", 2)]
    assert (bed["waiting"], bed["fresh_free"], bed["gap"]) == (1, 0, 1)
    # Reablement serves every locality: it counts (stale) in each.
    assert cells[("west", 1)]["stale_free"] == 1 and cells[("west", 1)]["waiting"] == 0


async def test_one_locality_or_an_unknown_one(picture: Wicc) -> None:
    await _cells(picture, until=3)
    one = await picture.client.get(f"{DEMAND}&locality=north", headers=picture.auth())
    assert {c["locality"] for c in one.json()["cells"]} == {"north"}
    for query, field in (("&locality=east", "locality"), ("", "system")):
        path = DEMAND + query if field == "locality" else "/flow/v1/demand-capacity?system=x"
        refused = await picture.client.get(path, headers=picture.auth())
        assert refused.status_code == 422 and field_names(refused) == {field}


async def test_the_board_shows_the_same_cells(picture: Wicc) -> None:
    cells = await _cells(picture, until=3)
    keys = ("waiting", "fresh_free", "stale_free", "gap", "oldest_fresh_as_of")
    expected = {key: {k: c[k] for k in keys} for key, c in cells.items()}
    for _ in range(200):
        board = (await picture.client.get("/flow/v1/board", headers=picture.auth())).json()
        shown = {
            (c["locality"], c["pathway"]): {k: c[k] for k in keys}
            for c in board.get("patients", {}).get("demand_capacity", [])
        }
        if shown == expected:
            return
        await asyncio.sleep(0.05)
    assert shown == expected
