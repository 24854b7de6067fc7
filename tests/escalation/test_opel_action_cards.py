"""Action cards: a declared level issues its cards as actions; people acknowledge and
complete them; an action not acknowledged by its due time re-escalates (once); a step
down closes the higher level's open actions as superseded."""

from __future__ import annotations

import datetime as dt

from tests.escalation.opel_api import (
    Json,
    announced,
    declared,
    escalation,
    get_json,
    run_job,
)
from tests.support import ADMIN_TOKEN, Wicc, set_clock

UTC = dt.UTC
TEN = dt.datetime(2026, 11, 23, 10, 0, tzinfo=UTC)
RNZ = "/escalation/v1/orgs/RNZ/declarations"
ACTIONS = "/escalation/v1/actions"
LEVEL_2 = ["acute-2-site-huddle", "acute-2-nctr-review", "acute-2-discharge-lounge"]
LEVEL_3 = [
    "acute-3-director-on-call",
    "acute-3-escalation-beds",
    "acute-3-senior-board-rounds",
    "acute-3-ask-system-call",
]


def cards(actions: list[Json]) -> list[str]:
    return [a["card_id"] for a in actions]


async def act(wicc: Wicc, action_id: str, verb: str, token: str | None = None, **body: str) -> Json:
    response = await wicc.client.post(
        f"{ACTIONS}/{action_id}/{verb}", json=body or None, headers=wicc.auth(token or ADMIN_TOKEN)
    )
    assert response.status_code == 200, response.text
    found: Json = response.json()
    return found


async def test_stepping_up_issues_the_cards_of_every_level_passed(wicc: Wicc) -> None:
    set_clock(wicc, TEN)
    result = await declared(wicc, RNZ, 3)
    issued = result["actions_issued"]
    assert cards(issued) == LEVEL_2 + LEVEL_3
    director = next(a for a in issued if a["card_id"] == "acute-3-director-on-call")
    assert director["owner"] == {
        "role": "site_manager",
        "organisation": None,
        "organisation_kind": None,
    }
    assert (director["status"], director["due_at"], director["overdue"]) == (
        "issued",
        "2026-11-23T10:30:00Z",
        False,
    )
    events = await announced(wicc, "action.issued")
    assert sorted(e["card_id"] for e in events) == sorted(LEVEL_2 + LEVEL_3)
    assert all(e["declaration_id"] == result["id"] for e in events)
    listed = await get_json(wicc, f"{ACTIONS}?org=RNZ&status=open")
    assert listed["total"] == 7
    # The same level again issues nothing.
    assert (await declared(wicc, RNZ, 3))["actions_issued"] == []


async def test_acknowledge_then_complete_with_a_note(wicc: Wicc) -> None:
    set_clock(wicc, TEN)
    action = (await declared(wicc, RNZ, 2))["actions_issued"][0]
    set_clock(wicc, TEN + dt.timedelta(minutes=5))
    acknowledged = await act(wicc, action["id"], "acknowledge")
    assert (acknowledged["status"], acknowledged["acknowledged_at"]) == (
        "acknowledged",
        "2026-11-23T10:05:00Z",
    )
    assert (await act(wicc, action["id"], "acknowledge"))["status"] == "acknowledged"
    assert len(await announced(wicc, "action.acknowledged")) == 1  # a retry changes nothing

    note = "Huddle held; Mrs Jones's discharge brought forward"
    done = await act(wicc, action["id"], "complete", note=note)
    assert (done["status"], done["note"], done["completed_by"]) == (
        "completed",
        note,
        "bootstrap-admin",
    )
    [completed] = await announced(wicc, "action.completed")
    assert completed["status"] == "completed"
    assert "Jones" not in str(completed)

    blank = await wicc.client.post(
        f"{ACTIONS}/{action['id']}/complete", json={"note": " "}, headers=wicc.auth()
    )
    assert blank.status_code == 422
    assert [e["field"] for e in blank.json()["errors"]] == ["note"]


async def test_an_action_not_acknowledged_by_its_due_time_re_escalates_once(
    wicc: Wicc,
) -> None:
    set_clock(wicc, TEN)
    issued = (await declared(wicc, RNZ, 3))["actions_issued"]
    overdue_job = escalation(wicc).action_overdue
    thirty = [
        a for a in issued if a["card_id"] in ("acute-3-director-on-call", "acute-3-ask-system-call")
    ]

    set_clock(wicc, TEN + dt.timedelta(minutes=29, seconds=59))
    await run_job(wicc, overdue_job)
    assert await announced(wicc, "action.escalated") == []

    set_clock(wicc, TEN + dt.timedelta(minutes=30))
    await run_job(wicc, overdue_job)
    escalated = await announced(wicc, "action.escalated")
    assert sorted(e["card_id"] for e in escalated) == sorted(cards(thirty))
    assert all(e["overdue"] and e["changed_by"] == "system:action-overdue" for e in escalated)
    overdue = await get_json(wicc, f"{ACTIONS}?org=RNZ&overdue=true")
    assert sorted(cards(overdue["items"])) == sorted(cards(thirty))
    assert all(a["escalated_at"] == "2026-11-23T10:30:00Z" for a in overdue["items"])

    set_clock(wicc, TEN + dt.timedelta(minutes=45))
    await run_job(wicc, overdue_job)
    assert len(await announced(wicc, "action.escalated")) == 2  # once per action
    acknowledged = await act(wicc, thirty[0]["id"], "acknowledge")
    assert acknowledged["overdue"] is False
    assert (await get_json(wicc, f"{ACTIONS}?org=RNZ&overdue=true"))["total"] == 1


async def test_stepping_down_supersedes_the_higher_levels_open_actions(wicc: Wicc) -> None:
    set_clock(wicc, TEN)
    issued = (await declared(wicc, RNZ, 3))["actions_issued"]
    director = next(a for a in issued if a["card_id"] == "acute-3-director-on-call")
    await act(wicc, director["id"], "acknowledge")

    set_clock(wicc, TEN + dt.timedelta(hours=2))
    down = await declared(wicc, RNZ, 2)
    level_3 = {a["id"] for a in issued if a["level"] == 3}
    assert set(down["actions_superseded"]) == level_3  # acknowledged ones too
    assert down["actions_issued"] == []
    superseded = await announced(wicc, "action.superseded")
    assert {e["action_id"] for e in superseded} == level_3
    still_open = await get_json(wicc, f"{ACTIONS}?org=RNZ&status=open")
    assert sorted(cards(still_open["items"])) == sorted(LEVEL_2)

    closed = await wicc.client.post(
        f"{ACTIONS}/{director['id']}/complete", json={"note": "too late"}, headers=wicc.auth()
    )
    assert closed.status_code == 409
    assert closed.json()["type"] == "urn:wicc:problem:action-closed"
    # Up again: the level 3 cards are issued afresh.
    assert cards((await declared(wicc, RNZ, 3))["actions_issued"]) == LEVEL_3


async def test_a_system_declaration_issues_the_system_cards(wicc: Wicc) -> None:
    set_clock(wicc, TEN)
    coordinator = await wicc.key("coordinator", system="wiltshire")
    issued = (
        await declared(wicc, "/escalation/v1/systems/wiltshire/declarations", 3, coordinator)
    )["actions_issued"]
    assert {(a["about"], a["org"], a["kind"]) for a in issued} == {("system", None, "system")}
    home_care = next(a for a in issued if a["card_id"] == "system-3-home-care-starts")
    assert home_care["owner"]["organisation_kind"] == "local_authority"
    # The council owns it: its own key may acknowledge it.
    council = await wicc.key("integration", org="E06000054")
    assert (await act(wicc, home_care["id"], "acknowledge", council))["status"] == "acknowledged"
    listed = await get_json(wicc, f"{ACTIONS}?system=wiltshire")
    assert listed["total"] == len(issued)


async def test_unknown_actions_and_filters(wicc: Wicc) -> None:
    missing = await wicc.client.post(
        f"{ACTIONS}/7c1d2e3f-4a5b-4c6d-8e9f-0a1b2c3d4e5f/acknowledge", headers=wicc.auth()
    )
    assert missing.status_code == 404
    not_an_id = await wicc.client.post(f"{ACTIONS}/nope/acknowledge", headers=wicc.auth())
    assert not_an_id.status_code == 422
    bad_status = await wicc.client.get(f"{ACTIONS}?status=lost", headers=wicc.auth())
    assert [e["field"] for e in bad_status.json()["errors"]] == ["status"]
