"""Paging bounds: `limit` 1-500, `offset` 0-1,000,000 on every list; an offset past a
bigint was a 500."""

from __future__ import annotations

import pytest

from tests.support import PROBLEM, Wicc
from wicc_shared.pagination import MAX_OFFSET

LISTS = (
    "/capacity/v1/orgs",
    "/capacity/v1/units/RNZ-AMU/beds/history",
    "/capacity/v1/providers/CP-AVONVALE/capacity/history",
    "/flow/v1/admin/api-keys",
)


@pytest.mark.parametrize("offset", [2**63, MAX_OFFSET + 1, -1])
async def test_an_offset_out_of_range_is_a_422_naming_it(wicc: Wicc, offset: int) -> None:
    for path in LISTS:
        response = await wicc.client.get(path, params={"offset": offset}, headers=wicc.auth())
        assert response.status_code == 422, (path, response.text)
        assert response.headers["content-type"] == PROBLEM
        assert [(e["field"], e["location"]) for e in response.json()["errors"]] == [
            ("offset", "query")
        ]


async def test_the_largest_offset_is_an_empty_page(wicc: Wicc) -> None:
    for path in LISTS:
        response = await wicc.client.get(path, params={"offset": MAX_OFFSET}, headers=wicc.auth())
        assert response.status_code == 200, (path, response.text)
        assert response.json()["items"] == []
