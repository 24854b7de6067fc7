"""Declared levels: kept with who, when and why; announced without the reason; safe
to retry; and a declaration that differs from the calculation for the configured time
raises `opel.diverged`, once per episode (time moved, never slept)."""

from __future__ import annotations

import datetime as dt

from tests.builders.opel import opel_sitrep
from tests.escalation.opel_api import (
    Json,
    announced,
    declare,
    declared,
    escalation,
    get_json,
    run_job,
    submit_sitrep,
    until,
)
from tests.support import Wicc, count, events_of, set_clock

UTC = dt.UTC
MORNING = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)
RNZ = "/escalation/v1/orgs/RNZ"
SYSTEM = "/escalation/v1/systems/wiltshire"


async def test_a_declaration_is_kept_with_who_when_and_why(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    coordinator = await wicc.key("coordinator", system="wiltshire")
    first = await declared(wicc, f"{RNZ}/declarations", 2, coordinator)
    set_clock(wicc, MORNING + dt.timedelta(minutes=20))
    second = await declared(wicc, f"{RNZ}/declarations", 3)
    assert (first["level"], first["previous_level"], first["declared_role"]) == (
        2,
        None,
        "coordinator",
    )
    assert (second["previous_level"], second["declared_by"]) == (2, "bootstrap-admin")

    history = await get_json(wicc, f"{RNZ}/declarations")
    assert [(d["level"], d["declared_at"]) for d in history["items"]] == [
        (3, "2026-11-23T09:50:00Z"),
        (2, "2026-11-23T09:30:00Z"),
    ]
    assert history["items"][1]["reason"] == "declared 2 by the test"
    assert history["items"][1]["age_seconds"] == 1200.0
    window = await get_json(
        wicc, f"{RNZ}/declarations?from=2026-11-23T09:40:00Z&to=2026-11-23T10:00:00Z"
    )
    assert [d["level"] for d in window["items"]] == [3]
    opel = await get_json(wicc, f"{RNZ}/opel")
    assert opel["declared"]["level"] == 3 and opel["declared"]["declaration_id"] == second["id"]


async def test_the_declared_event_carries_levels_not_the_reason(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await declare(wicc, f"{RNZ}/declarations", 3, reason="Two wards shut; Dr Smith on call")
    [event] = await events_of(wicc, "opel.declared", 1)
    assert (event.data["level"], event.data["org"], event.data["about"]) == (
        3,
        "RNZ",
        "organisation",
    )
    assert "Smith" not in event.model_dump_json()
    audited = await count(
        wicc,
        "SELECT count(*) FROM kernel.audit_log WHERE action = 'opel.declared' "
        "AND after->>'reason' = 'Two wards shut; Dr Smith on call'",
    )
    assert audited == 1


async def test_a_retried_declaration_declares_once(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    retry = {"Idempotency-Key": "declare-rnz-3"}
    first = await declare(wicc, f"{RNZ}/declarations", 3, headers=retry)
    again = await declare(wicc, f"{RNZ}/declarations", 3, headers=retry)
    assert (first.status_code, again.status_code) == (201, 201)
    assert again.headers["Idempotent-Replayed"] == "true"
    assert again.json() == first.json()
    assert await count(wicc, "SELECT count(*) FROM escalation.opel_declaration") == 1
    issued = await count(wicc, "SELECT count(*) FROM escalation.opel_action")
    assert issued == len(first.json()["actions_issued"]) == 7


async def test_bad_declarations_are_refused_naming_the_field(wicc: Wicc) -> None:
    for body, field in (
        ({"level": 5, "reason": "x"}, "level"),
        ({"level": "3", "reason": "x"}, "level"),
        ({"level": 3, "reason": "   "}, "reason"),
        ({"level": 3}, "reason"),
        ({"level": 3, "reason": "x", "colour": "red"}, "colour"),
    ):
        response = await wicc.client.post(f"{RNZ}/declarations", json=body, headers=wicc.auth())
        assert response.status_code == 422, body
        assert {e["field"] for e in response.json()["errors"]} == {field}
    unknown = await declare(wicc, "/escalation/v1/orgs/NOPE/declarations", 2)
    assert unknown.status_code == 404
    history = await wicc.client.get(
        f"{RNZ}/declarations?from=2026-11-23T10:00:00Z&to=2026-11-23T09:00:00Z",
        headers=wicc.auth(),
    )
    assert history.status_code == 422
    assert [e["field"] for e in history.json()["errors"]] == ["to"]


async def test_a_lasting_difference_raises_divergence_once_per_episode(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep())
    await until(wicc, f"{RNZ}/opel", lambda o: o["level"] == 3)
    timers = escalation(wicc).opel_timers

    set_clock(wicc, MORNING.replace(hour=10, minute=0))
    await declared(wicc, f"{RNZ}/declarations", 2)
    opel = await get_json(wicc, f"{RNZ}/opel")
    assert opel["divergence"] == {
        "since": "2026-11-23T10:00:00Z",
        "raised": False,
        "raise_at": "2026-11-23T11:00:00Z",  # 60 minutes, from the system's file
    }
    set_clock(wicc, MORNING.replace(hour=10, minute=59))
    await run_job(wicc, timers)
    assert await _diverged(wicc) == []

    set_clock(wicc, MORNING.replace(hour=11, minute=0))
    await run_job(wicc, timers)
    [raised] = await _diverged(wicc)
    assert (raised["declared_level"], raised["calculated_level"], raised["since"]) == (
        2,
        3,
        "2026-11-23T10:00:00Z",
    )
    # Still differing, even at another declared level: the same episode, not raised again.
    set_clock(wicc, MORNING.replace(hour=11, minute=30))
    await declared(wicc, f"{RNZ}/declarations", 1)
    set_clock(wicc, MORNING.replace(hour=12, minute=40))
    await run_job(wicc, timers)
    assert len(await _diverged(wicc)) == 1

    # They agree (the episode ends), then differ again: a new episode, raised again.
    await declared(wicc, f"{RNZ}/declarations", 3)
    assert (await get_json(wicc, f"{RNZ}/opel"))["divergence"] is None
    set_clock(wicc, MORNING.replace(hour=13, minute=0))
    await declared(wicc, f"{RNZ}/declarations", 4)
    set_clock(wicc, MORNING.replace(hour=14, minute=0))
    await run_job(wicc, timers)
    assert [d["declared_level"] for d in await _diverged(wicc)] == [2, 4]


async def test_a_system_declaration_diverges_from_the_system_calculation(wicc: Wicc) -> None:
    set_clock(wicc, MORNING)
    await submit_sitrep(wicc, opel_sitrep())
    await until(wicc, f"{SYSTEM}/opel", lambda s: s["level"] == 3)
    await declared(wicc, f"{SYSTEM}/declarations", 4)
    set_clock(wicc, MORNING + dt.timedelta(minutes=61))
    await run_job(wicc, escalation(wicc).opel_timers)
    [raised] = await _diverged(wicc)
    assert (raised["about"], raised["org"], raised["system"]) == ("system", None, "wiltshire")
    history = await get_json(wicc, f"{SYSTEM}/declarations")
    assert [(d["about"], d["level"]) for d in history["items"]] == [("system", 4)]


async def _diverged(wicc: Wicc) -> list[Json]:
    return await announced(wicc, "opel.diverged")
