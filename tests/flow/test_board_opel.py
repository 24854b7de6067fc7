"""The board's OPEL section: per trust and for the system, calculated and declared
level, score, stale inputs, open and overdue actions; from escalation's events only."""

from __future__ import annotations

import datetime as dt
import time

from tests.builders.opel import (
    action_event,
    opel_calculated,
    opel_declared,
    opel_sitrep,
)
from tests.escalation.opel_api import declared, submit_sitrep
from tests.support import Wicc, next_frame, set_clock
from wicc_flow.board.projection import BOARD_EVENT_TYPES, BoardProjection
from wicc_flow.board.schemas import SnapshotFrame

UTC = dt.UTC
NINE_THIRTY = dt.datetime(2026, 11, 23, 9, 30, tzinfo=UTC)


def snapshot(projection: BoardProjection, now: dt.datetime) -> SnapshotFrame:
    frame = {"kind": "snapshot", "seq": 1, "generated_at": now.isoformat(), **projection.view(now)}
    return SnapshotFrame.model_validate(frame)  # the AsyncAPI document's snapshot model


def test_opel_is_absent_until_there_is_a_level() -> None:
    projection = BoardProjection()
    assert "opel" not in projection.view(NINE_THIRTY)
    assert {"opel.calculated", "opel.declared", "action.escalated"} <= BOARD_EVENT_TYPES


def test_calculated_and_declared_levels_per_trust_and_for_the_system() -> None:
    projection = BoardProjection()
    projection.apply(opel_calculated("RNZ", level=2, score=11, stale=("adult_ga_occupancy_pct",)))
    projection.apply(opel_calculated(None, level=3, score=51.9))
    projection.apply(opel_declared("RNZ", level=3))
    frame = snapshot(projection, NINE_THIRTY)
    assert frame.opel is not None
    rnz, system = frame.opel.subjects
    assert (
        rnz.org,
        rnz.calculated and rnz.calculated.level,
        rnz.declared and rnz.declared.level,
    ) == (
        "RNZ",
        2,
        3,
    )
    assert rnz.calculated and rnz.calculated.stale == ["adult_ga_occupancy_pct"]
    assert rnz.calculated.partial is True
    assert (system.about, system.org, system.calculated and system.calculated.score) == (
        "system",
        None,
        51.9,
    )
    # An older calculation arriving late does not replace the newer one.
    projection.apply(
        opel_calculated("RNZ", level=4, computed_at=NINE_THIRTY - dt.timedelta(hours=1))
    )
    assert snapshot(projection, NINE_THIRTY).opel.subjects[0].calculated.level == 2  # type: ignore[union-attr]


def test_open_actions_and_overdue_from_their_due_time() -> None:
    projection = BoardProjection()
    due = dt.datetime(2026, 11, 23, 10, 30, tzinfo=UTC)
    first, second = action_event(due_at=due), action_event(due_at=due + dt.timedelta(hours=1))
    projection.apply(first)
    projection.apply(second)
    before_due = snapshot(projection, due - dt.timedelta(seconds=1))
    assert before_due.opel is not None
    assert (
        before_due.opel.subjects[0].open_actions,
        before_due.opel.subjects[0].overdue_actions,
    ) == (2, 0)
    assert projection.next_stale_at(due - dt.timedelta(minutes=5)) == due
    # Overdue at its due time, before any `action.escalated` has arrived.
    at_due = snapshot(projection, due)
    assert at_due.opel is not None and at_due.opel.subjects[0].overdue_actions == 1
    assert [a.overdue for a in at_due.opel.actions] == [True, False]
    # Acknowledged: open but no longer overdue. Completed: gone.
    ack_id, done_id = first.data["action_id"], second.data["action_id"]
    later = due + dt.timedelta(minutes=1)
    projection.apply(action_event("acknowledged", action_id=ack_id, due_at=due, changed_at=later))
    projection.apply(action_event("completed", action_id=done_id, changed_at=later))
    after = snapshot(projection, due + dt.timedelta(hours=2))
    assert after.opel is not None
    assert (after.opel.subjects[0].open_actions, after.opel.subjects[0].overdue_actions) == (1, 0)


def test_the_section_survives_a_checkpoint() -> None:
    projection = BoardProjection()
    projection.apply(opel_calculated("RNZ"))
    projection.apply(opel_declared("RNZ"))
    projection.apply(action_event())
    restored = BoardProjection(projection.state())
    assert restored.view(NINE_THIRTY) == projection.view(NINE_THIRTY)


async def test_a_sitrep_reaches_the_board_as_the_trusts_and_the_systems_new_score(
    wicc: Wicc,
) -> None:
    set_clock(wicc, NINE_THIRTY)
    async with wicc.board() as ws:
        assert (await next_frame(ws))["kind"] == "snapshot"
        started = time.monotonic()
        await submit_sitrep(wicc, opel_sitrep("RNZ"))
        seen: dict[str, dict[str, object]] = {}
        while len(seen) < 2:
            frame = await next_frame(ws)
            event = frame["event"]
            if event["type"] == "opel.calculated":
                seen[event["data"]["about"]] = event["data"]
        assert time.monotonic() - started < 10
    assert (seen["organisation"]["org"], seen["organisation"]["level"]) == ("RNZ", 3)
    assert (seen["system"]["system"], seen["system"]["score"]) == ("wiltshire", 51.9)

    async with wicc.board() as ws:
        await next_frame(ws)
        await declared(wicc, "/escalation/v1/orgs/RNZ/declarations", 2)
        types = [(await next_frame(ws))["event"]["type"] for _ in range(4)]
        assert sorted(types) == ["action.issued"] * 3 + ["opel.declared"]
    async with wicc.board() as ws:
        frame = await next_frame(ws)
    subjects = {s["org"]: s for s in frame["opel"]["subjects"]}
    assert subjects["RNZ"]["calculated"]["level"] == 3
    assert subjects["RNZ"]["declared"]["level"] == 2
    assert subjects["RNZ"]["open_actions"] == 3  # the level 2 cards
    assert subjects[None]["calculated"]["level"] == 3
    SnapshotFrame.model_validate(frame)
