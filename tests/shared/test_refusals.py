"""Every refusal (401, 403) is a structured security event and a metric sample: key
id, route template, organisation, correlation id; never the token."""

from __future__ import annotations

import logging

import pytest
from prometheus_client.parser import text_string_to_metric_families
from websockets.asyncio.client import connect
from websockets.exceptions import InvalidStatus

from tests.support import Wicc

ROUTE = "/v1/units/{unit_id}/beds"


async def refusals(wicc: Wicc) -> dict[tuple[str, str, str], float]:
    text = (await wicc.client.get("/capacity/metrics")).text
    return {
        (s.labels["service"], s.labels["status"], s.labels["route"]): s.value
        for family in text_string_to_metric_families(text)
        for s in family.samples
        if s.name == "wicc_refusals_total"
    }


def security_events(caplog: pytest.LogCaptureFixture) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == "wicc.security"]


async def test_a_refused_key_is_logged_and_counted(
    wicc: Wicc, caplog: pytest.LogCaptureFixture
) -> None:
    viewer = await wicc.key("viewer", org="RNZ")
    before = await refusals(wicc)
    guessed = "wicc_guessed-token-that-must-not-be-logged"

    unknown = await wicc.put_beds("RNZ-AMU", token=guessed)
    forbidden = await wicc.put_beds("RNZ-AMU", token=viewer)

    assert (unknown.status_code, forbidden.status_code) == (401, 403)
    after = await refusals(wicc)
    for status in ("401", "403"):
        key = ("capacity", status, ROUTE)
        assert after[key] - before.get(key, 0.0) == 1
    first, second = security_events(caplog)
    assert (first.status, first.route, first.key_id) == (401, ROUTE, None)  # type: ignore[attr-defined]
    assert (second.status, second.route, second.org) == (403, ROUTE, "RNZ")  # type: ignore[attr-defined]
    assert second.key_id is not None  # type: ignore[attr-defined]
    assert second.key_role == "viewer"  # type: ignore[attr-defined]
    for record in (first, second):
        assert record.event == "security.refusal"  # type: ignore[attr-defined]
        assert guessed not in str(record.__dict__) and viewer not in str(record.__dict__)
    assert first.correlation_id == unknown.headers["x-request-id"]  # type: ignore[attr-defined]
    assert second.correlation_id == forbidden.headers["x-request-id"]  # type: ignore[attr-defined]


async def test_a_refused_board_handshake_is_logged(
    wicc: Wicc, caplog: pytest.LogCaptureFixture
) -> None:
    with pytest.raises(InvalidStatus):
        async with connect(wicc.ws_url + "?token=wicc_wrong"):
            pass
    [event] = security_events(caplog)
    assert (event.status, event.route, event.service) == (401, "/v1/board/ws", "flow")  # type: ignore[attr-defined]
