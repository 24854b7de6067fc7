"""The what-if: the score and level some input values would give, and nothing else:
no row, no audit entry, no event."""

from __future__ import annotations

import datetime as dt

from tests.builders.opel import opel_sitrep
from tests.escalation.opel_api import submit_sitrep, until
from tests.support import Wicc, count, set_clock

MORNING = dt.datetime(2026, 11, 23, 9, 30, tzinfo=dt.UTC)
WHAT_IF = "/escalation/v1/orgs/RNZ/opel/what-if"
TABLES = (
    "escalation.opel_state",
    "escalation.opel_history",
    "escalation.input_fact",
    "escalation.opel_declaration",
    "escalation.opel_action",
    "escalation.outbox",
    "kernel.audit_log",
)


async def _everything(wicc: Wicc) -> dict[str, object]:
    counts: dict[str, object] = {t: await count(wicc, f"SELECT count(*) FROM {t}") for t in TABLES}  # noqa: S608
    counts["state"] = await count(
        wicc, "SELECT hashtext(string_agg(t::text, '|' ORDER BY code)) FROM escalation.opel_state t"
    )
    counts["stream"] = await wicc.runtime.stream.last_seq()
    return counts


async def test_the_what_if_answers_and_changes_nothing(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep())
    await until(wicc, "/escalation/v1/orgs/RNZ/opel", lambda o: o["score"] == 14)
    await until(wicc, "/escalation/v1/systems/wiltshire/opel", lambda s: s["level"] == 3)
    viewer = await wicc.key("viewer", system="wiltshire")
    before = await _everything(wicc)
    body = {"overrides": {"adult_ga_occupancy_pct": 99.0, "four_hour_performance_pct": 55}}
    for _ in range(2):
        response = await wicc.client.post(WHAT_IF, json=body, headers=wicc.auth(viewer))
        assert response.status_code == 200, response.text
        tried = response.json()
        # 99 % occupancy: 3 points (was 2); 55 % in 4 hours: 3 (was 1). 14 + 1 + 2 = 17.
        assert (tried["score"], tried["level"]) == (17, 3)
        assert tried["current"] == {
            "level": 3,
            "level_range": [3, 3],
            "score": 14,
            "partial": False,
        }
        overridden = {p["key"] for p in tried["parameters"] if p["overridden"]}
        assert overridden == {"adult_ga_occupancy_pct", "four_hour_performance_pct"}
    assert await _everything(wicc) == before


async def test_an_unknown_parameter_is_refused_naming_it(wicc: Wicc) -> None:
    response = await wicc.client.post(
        WHAT_IF, json={"overrides": {"bed_days": 3}}, headers=wicc.auth()
    )
    assert response.status_code == 422
    assert [e["field"] for e in response.json()["errors"]] == ["overrides.bed_days"]
    not_a_number = await wicc.client.post(
        WHAT_IF, json={"overrides": {"ed_over_12h_pct": "lots"}}, headers=wicc.auth()
    )
    assert not_a_number.status_code == 422
    assert [e["field"] for e in not_a_number.json()["errors"]] == ["overrides.ed_over_12h_pct"]


async def test_a_what_if_can_also_show_a_value_out_of_range(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    response = await wicc.client.post(
        WHAT_IF, json={"overrides": {"ed_over_12h_pct": 130}}, headers=wicc.auth()
    )
    assert response.status_code == 200
    tried = response.json()
    assert tried["invalid"] == ["ed_over_12h_pct"] and tried["partial"] is True
    assert len(tried["missing"]) == 8
