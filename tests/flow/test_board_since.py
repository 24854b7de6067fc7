"""The board's `since` is a sequence number: anything else is a 422 problem+json at the
handshake, never a plain-text 500 (Unicode digits such as "²" once passed `isdigit()`
and then failed `int()`; thousands of digits hit Python's integer-string limit)."""

from __future__ import annotations

import json

import pytest
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.support import ADMIN_TOKEN, Wicc


@pytest.mark.parametrize(
    "since",
    [
        "%C2%B2",  # "²": a digit to str.isdigit(), not to int()
        "1" * 4_301,  # over Python's int() digit limit
        str(2**63),  # over a PostgreSQL bigint and a Redis stream id
        "-1",
    ],
    ids=["superscript-two", "4301-digits", "over-bigint", "negative"],
)
async def test_a_since_that_is_not_a_sequence_number_is_a_422_problem(
    wicc: Wicc, since: str
) -> None:
    with pytest.raises(InvalidStatus) as refused:
        async with connect(f"{wicc.ws_url}?since={since}&token={ADMIN_TOKEN}"):
            pass
    response = refused.value.response
    assert response.status_code == 422
    assert response.headers["content-type"] == "application/problem+json"
    problem = json.loads(response.body)
    assert [(e["field"], e["location"]) for e in problem["errors"]] == [("since", "query")]


async def test_the_largest_sequence_number_is_accepted(wicc: Wicc) -> None:
    async with connect(f"{wicc.ws_url}?since={2**63 - 1}&token={ADMIN_TOKEN}") as ws:
        assert json.loads(await ws.recv())["kind"] == "snapshot"  # ahead of the hub
