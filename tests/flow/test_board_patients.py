"""The board's patients section: each trust's discharge sitrep (counts only), totals per
system, demand against capacity per locality and pathway with the care section's
figures, staleness at the end of the day, and its place in snapshots and deltas."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from typing import Any

from hypothesis import given
from hypothesis import strategies as st

from tests.builders.discharge_events import AS_OF, DAY, discharge_sitrep, discharge_sitrep_event
from tests.builders.events import care_capacity_updated
from tests.builders.patient_api import at_now, created
from tests.support import Wicc, next_event, next_frame
from wicc_flow.board.projection import BOARD_EVENT_TYPES, BoardProjection
from wicc_flow.board.schemas import SnapshotFrame


def _snapshot(projection: BoardProjection, now: datetime = AS_OF) -> dict[str, Any]:
    frame = {"kind": "snapshot", "seq": 9, "generated_at": now.isoformat()} | projection.view(now)
    SnapshotFrame.model_validate(frame)  # the AsyncAPI document's model: exact, extra refused
    return frame


def test_the_board_follows_the_aggregate_only() -> None:
    assert "discharge_sitrep.updated" in BOARD_EVENT_TYPES
    assert not {t for t in BOARD_EVENT_TYPES if t.startswith(("patient.", "patient_day."))}


def test_no_patients_key_until_a_trust_has_a_list() -> None:
    projection = BoardProjection()
    assert "patients" not in _snapshot(projection)
    projection.apply(discharge_sitrep_event())
    assert "patients" in _snapshot(projection)


def test_trusts_are_added_up_per_system() -> None:
    projection = BoardProjection()
    projection.apply(discharge_sitrep_event(org="RNZ", pathways=(2, 3, 1, 1), lost_bed_days=12))
    projection.apply(
        discharge_sitrep_event(
            org="RN3",
            pathways=(0, 4, 0, 2),
            discharged=2,
            waiting={("north", 1): 4, ("north", 3): 2},
        )
    )
    patients = _snapshot(projection)["patients"]
    assert [t["org"] for t in patients["trusts"]] == ["RN3", "RNZ"]
    [system] = patients["systems"]
    assert (system["trusts"], system["remaining"], system["discharged"]) == (2, 13, 3)
    assert system["nctr_patients"] == 16 and system["lost_bed_days"] == 24
    assert [p["remaining"] for p in system["by_pathway"]] == [2, 7, 1, 3]
    assert {(w["locality"], w["pathway"]): w["patients"] for w in system["waiting"]} == {
        ("south", 0): 2,
        ("south", 1): 3,
        ("south", 2): 1,
        ("south", 3): 1,
        ("north", 1): 4,
        ("north", 3): 2,
    }


def test_a_replayed_older_count_never_undoes_a_newer_one() -> None:
    projection = BoardProjection()
    projection.apply(discharge_sitrep_event(as_of=AS_OF, pathways=(0, 5, 0, 0)))
    projection.apply(
        discharge_sitrep_event(as_of=AS_OF - timedelta(minutes=5), pathways=(0, 1, 0, 0))
    )
    [trust] = _snapshot(projection)["patients"]["trusts"]
    assert trust["remaining"] == 5
    restored = BoardProjection(projection.state())
    assert restored.view(AS_OF) == projection.view(AS_OF)


def test_counts_turn_stale_when_their_day_is_over() -> None:
    projection = BoardProjection()
    projection.apply(discharge_sitrep_event())
    midnight = datetime.combine(DAY + timedelta(days=1), datetime.min.time(), UTC)
    assert projection.next_stale_at(AS_OF) == midnight
    before = _snapshot(projection, midnight - timedelta(seconds=1))["patients"]
    after = _snapshot(projection, midnight)["patients"]
    assert before["trusts"][0]["stale"] is False and after["trusts"][0]["stale"] is True
    assert after["systems"][0]["stale_trusts"] == 1
    assert after["trusts"][0]["age_seconds"] == 15 * 3600


def test_demand_is_set_against_fresh_care_figures_only() -> None:
    projection = BoardProjection(care_freshness_hours={"dom_care": 12})
    projection.apply(discharge_sitrep_event(waiting={("south", 1): 4, ("south", 3): 1}))
    projection.apply(
        care_capacity_updated(
            "CP-HTLAH-S",
            "dom_care",
            ["south"],
            [{"category": None, "package_starts_per_day": 3}],
            as_of=AS_OF - timedelta(hours=2),
        )
    )
    projection.apply(
        care_capacity_updated(
            "CP-REABLE",
            "reablement",
            ["south", "west"],
            [{"category": None, "package_starts_per_day": 2}],
            as_of=AS_OF - timedelta(hours=30),
        )
    )
    projection.apply(
        care_capacity_updated(
            "CP-UCAH",
            "urgent_care_at_home",
            ["south"],
            [{"category": None, "slots": 9}],
            as_of=AS_OF,
        )
    )
    cells = {
        (c["locality"], c["pathway"]): c
        for c in _snapshot(projection)["patients"]["demand_capacity"]
    }
    home = cells[("south", 1)]
    assert (home["waiting"], home["fresh_free"], home["stale_free"], home["gap"]) == (4, 3, 2, 1)
    assert home["oldest_fresh_as_of"] == "2026-11-23T07:00:00Z"
    assert cells[("south", 3)]["gap"] == 1
    # Urgent care at home keeps people out of hospital: it serves no pathway here.
    assert all(c["fresh_free"] == 0 for key, c in cells.items() if key != ("south", 1))
    assert cells[("west", 1)] == {
        "system": "wiltshire",
        "locality": "west",
        "pathway": 1,
        "waiting": 0,
        "fresh_free": 0,
        "stale_free": 2,
        "gap": 0,
        "oldest_fresh_as_of": None,
    }


@given(
    st.lists(
        st.tuples(st.lists(st.integers(0, 40), min_size=4, max_size=4), st.integers(0, 9)),
        min_size=1,
        max_size=6,
    )
)
def test_system_totals_are_the_sums_of_their_trusts(
    trusts: list[tuple[list[int], int]],
) -> None:
    projection = BoardProjection()
    for i, (pathways, discharged) in enumerate(trusts):
        projection.apply(
            discharge_sitrep_event(
                org=f"T{i}",
                pathways=(pathways[0], pathways[1], pathways[2], pathways[3]),
                discharged=discharged,
            )
        )
    view = projection.view(AS_OF)["patients"]
    [system] = view["systems"]
    for name in ("nctr_patients", "discharged", "remaining", "lost_bed_days"):
        assert system[name] == sum(t[name] for t in view["trusts"])
    assert sum(p["remaining"] for p in system["by_pathway"]) == system["remaining"]
    waiting = sum(c["waiting"] for c in view["demand_capacity"])
    assert waiting == sum(p["remaining"] for p in system["by_pathway"] if p["pathway"] > 0)


async def test_a_change_to_a_list_reaches_the_board_as_its_trusts_counts(wicc: Wicc) -> None:
    at_now(wicc)
    async with wicc.board() as ws:
        snapshot = await next_frame(ws)
        assert "patients" not in snapshot
        await created(wicc, pathway=2)
        frame = await next_event(ws)
    event = frame["event"]
    assert (event["type"], event["subject"]) == (
        "discharge_sitrep.updated",
        "discharge-sitreps/RNZ/2026-11-23",
    )
    assert event["data"]["remaining"] == 1 and event["data"]["by_pathway"][2]["remaining"] == 1
    async with wicc.board() as ws:
        snapshot = await next_frame(ws)
    SnapshotFrame.model_validate(snapshot)
    [trust] = snapshot["patients"]["trusts"]
    assert (trust["org"], trust["remaining"], trust["stale"]) == ("RNZ", 1, False)
    assert discharge_sitrep().org == "RNZ"
