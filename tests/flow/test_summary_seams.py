"""The parts of the summary fed by other capabilities (patients ready to leave, OPEL,
the outlook) are "not available" without their data, and fill in from the feeds'
payloads when given; yesterday's figures, means and trends come from earlier days'
summaries."""

from __future__ import annotations

import datetime as dt
from typing import Any

from tests.builders.events import beds_updated
from tests.builders.summary_inputs import DAY, NOW, board, build, history, org, reference
from wicc_flow.summaries.assemble import Inputs, assemble
from wicc_flow.summaries.codes import DelayBand, Pathway
from wicc_flow.summaries.figures import Figure, Unit
from wicc_flow.summaries.history import OCCUPANCY
from wicc_flow.summaries.layout import sections
from wicc_flow.summaries.opel_status import opel_entries, opel_status
from wicc_flow.summaries.patients_ready import (
    counts_of,
    outlook_of,
    patients_ready,
    waiting,
)
from wicc_shared.catalogue.patients import (
    BandCount,
    DischargeSitrepUpdated,
    PathwayCount,
    ReasonCount,
    WaitingCount,
)

UTC = dt.UTC


def discharge_sitrep(org_code: str = "RNZ", *, p1: int = 5, p3: int = 2) -> DischargeSitrepUpdated:
    return DischargeSitrepUpdated(
        org=org_code,
        system="wiltshire",
        date=DAY,
        as_of=NOW - dt.timedelta(minutes=10),
        valid_until=dt.datetime.combine(DAY + dt.timedelta(days=1), dt.time(0), tzinfo=UTC),
        nctr_patients=p1 + p3 + 1,
        discharged=1,
        remaining=p1 + p3,
        by_pathway=[
            PathwayCount(pathway=1, nctr_patients=p1 + 1, discharged=1, remaining=p1),
            PathwayCount(pathway=3, nctr_patients=p3, discharged=0, remaining=p3),
        ],
        by_reason=[
            ReasonCount(reason="p1_awaiting_care", remaining=p1),
            ReasonCount(reason="none_recorded", remaining=p3),
        ],
        bands=[
            BandCount(band="0", patients=p1, bed_days=0),
            BandCount(band="21+", patients=p3, bed_days=50),
        ],
        lost_bed_days=3,
        waiting=[
            WaitingCount(locality="north", pathway=1, patients=p1),
            WaitingCount(locality=None, pathway=3, patients=p3),
        ],
        reasons_version="delay-reasons-v1",
    )


def _inputs(**kwargs: object) -> Inputs:
    trust = org("RNZ", "Salisbury NHS Foundation Trust", ga_units=["U1"])
    return Inputs(
        reference=reference(trust),
        board=board(beds_updated("U1", "RNZ", as_of=NOW - dt.timedelta(hours=1))),
        history=history(),
        build=build(),
        **kwargs,  # type: ignore[arg-type]
    )


def test_without_their_feeds_opel_patients_and_outlook_are_not_available() -> None:
    doc = assemble(_inputs())
    assert all(a.opel is None and a.patients is None for a in doc.areas())
    assert doc.outlook is None
    shown = {s.key: s.available for s in sections(doc)}
    assert shown["opel"] is shown["patients"] is shown["outlook"] is False
    assert shown["beds"] is True
    assert opel_status("RNZ", None, history(), NOW) is None


def test_patients_ready_from_discharge_sitreps_add_up() -> None:
    counts = counts_of([discharge_sitrep("RNZ"), discharge_sitrep("RD1", p1=3, p3=0)])
    assert counts is not None
    assert counts.remaining == 10
    assert dict(counts.by_pathway) == {Pathway.p0: 0, Pathway.p1: 8, Pathway.p2: 0, Pathway.p3: 2}
    assert counts.by_band[DelayBand.d21_plus] == 2
    lost = {
        DAY - dt.timedelta(days=1): 4,
        DAY - dt.timedelta(days=3): 6,
        DAY - dt.timedelta(days=9): 99,
    }
    ready = patients_ready("wiltshire", counts, lost, history(), label=str.upper)
    assert ready is not None
    assert ready.total.today.value == 10
    assert (ready.lost_bed_days_yesterday.value, ready.lost_bed_days_7d.value) == (4, 10)
    assert [(r.code, r.label, r.count.value) for r in ready.by_reason] == [
        ("p1_awaiting_care", "P1_AWAITING_CARE", 8),
        ("none_recorded", "NONE_RECORDED", 2),
    ]
    assert counts_of([]) is None
    assert patients_ready("wiltshire", None, {}, history(), label=str) is None


def test_with_discharge_sitreps_the_patients_and_the_demand_fill_in() -> None:
    doc = assemble(_inputs(discharge_sitreps=[discharge_sitrep()]))
    assert doc.system.patients is not None and doc.system.patients.total.today.value == 7
    rnz = doc.organisations[0]
    assert rnz.patients is not None and rnz.patients.by_pathway[Pathway.p3].value == 2
    assert waiting([discharge_sitrep()]) == {("north", Pathway.p1): 5}  # no locality: not placed
    assert {f.source for f in doc.freshness} >= {
        "flow:discharge_sitrep.updated?subject=RNZ",
        "flow:discharge_sitrep.updated?subject=wiltshire",
    }


def test_the_outlook_rests_on_the_days_before_that_had_patients_becoming_ready() -> None:
    became_ready = {
        DAY - dt.timedelta(weeks=w): {Pathway.p1: 10 + w, Pathway.p3: 0} for w in (1, 2)
    }
    capacity: dict[Pathway, Figure | None] = dict.fromkeys(Pathway)
    made = outlook_of(history(), became_ready, capacity, NOW)
    assert made is not None
    thursday = next(p for p in made.pathways if p.pathway == Pathway.p1).days[0]
    assert (thursday.day, thursday.weeks, thursday.low, thursday.high) == (DAY, 2, 11, 12)
    assert outlook_of(history(), {}, capacity, NOW) is None


def _figure(value: float, day: dt.date) -> Figure:
    when = dt.datetime.combine(day, dt.time(8, 0), tzinfo=UTC)
    return Figure(value=value, unit=Unit.percent, source="x", as_of=when)


def test_yesterday_means_and_trends_come_from_earlier_summaries() -> None:
    days = {
        DAY - dt.timedelta(days=back): _figure(80 + back, DAY - dt.timedelta(days=back))
        for back in (1, 2, 5, 20)
    }
    earlier = history({("RNZ", OCCUPANCY): days})
    today = _figure(90.0, DAY)
    tracked = earlier.tracked("RNZ", OCCUPANCY, today)
    assert tracked.yesterday is not None and tracked.yesterday.value == 81
    assert tracked.change is not None and tracked.change.value == 9.0
    assert tracked.mean_7d is not None and tracked.mean_7d.value == 82.7  # days 1, 2, 5 only
    assert tracked.mean_7d.derived
    assert [p.day for p in earlier.trend("RNZ", OCCUPANCY, today)] == [
        DAY - dt.timedelta(days=5),
        DAY - dt.timedelta(days=2),
        DAY - dt.timedelta(days=1),
        DAY,
    ]
    assert earlier.days_recorded() == 3
    note = earlier.coverage_note()
    assert note is not None and "3 of the 7 days" in note


def test_a_full_week_needs_no_note() -> None:
    week = {
        DAY - dt.timedelta(days=b): _figure(80, DAY - dt.timedelta(days=b)) for b in range(1, 8)
    }
    assert history({("RNZ", OCCUPANCY): week}).coverage_note() is None
    assert history().coverage_note() is not None


def _opel_entry(
    org: str | None, *, level: int, stale: list[str], declared: int | None
) -> dict[str, Any]:
    return {
        "about": "organisation" if org else "system",
        "org": org,
        "system": "wiltshire",
        "calculated": {
            "level": level,
            "score": 14,
            "max_score": 27,
            "stale": stale,
            "computed_at": (NOW - dt.timedelta(minutes=30)).isoformat(),
        },
        "declared": (
            {"level": declared, "declared_at": (NOW - dt.timedelta(hours=1)).isoformat()}
            if declared
            else None
        ),
        "open_actions": 3,
        "overdue_actions": 1,
    }


def test_opel_fills_in_from_the_boards_entries_with_the_declared_level_in_force() -> None:
    board_view = {
        "opel": {
            "subjects": [
                _opel_entry("RNZ", level=3, stale=[], declared=2),
                _opel_entry(None, level=2, stale=["RNZ.ed_over_12h_pct"], declared=None),
                _opel_entry("XYZ", level=4, stale=[], declared=None) | {"system": "elsewhere"},
            ]
        }
    }
    entries = opel_entries(board_view, "wiltshire")
    assert set(entries) == {"RNZ", "wiltshire"}
    doc = assemble(_inputs(opel=entries))
    rnz = doc.organisations[0].opel
    assert rnz is not None
    assert (rnz.level.today.value, rnz.calculated_level.value) == (2, 3)
    assert rnz.declared_level is not None and rnz.declared_level.value == 2
    assert (rnz.open_actions.value, rnz.overdue_actions.today.value) == (3, 1)
    assert rnz.score.today.source == "escalation:/escalation/v1/orgs/RNZ/opel"
    system = doc.system.opel
    assert system is not None and system.level.today.stale, "a stale input makes it stale"
    named = {f.source: f for f in doc.stale_sources()}
    assert named["escalation:/escalation/v1/systems/wiltshire/opel"].label == (
        "OPEL, whole system (1 stale input)"
    )
    assert "escalation:/escalation/v1/orgs/RNZ/opel" not in named
    assert {s.key: s.available for s in sections(doc)}["opel"] is True


def test_an_area_without_a_calculated_level_has_no_opel() -> None:
    entry = _opel_entry("RNZ", level=3, stale=[], declared=2)
    entry["calculated"] = None
    assert opel_status("RNZ", entry, history(), NOW) is None
