"""Demand against capacity: patients waiting per locality and pathway against fresh free
care, with every figure's age and staleness."""

from __future__ import annotations

from datetime import datetime, timedelta

import pytest

from tests.builders.patients import LONDON, at, stay
from wicc_flow.patients.demand_capacity import (
    CapacityFigure,
    DemandCapacity,
    demand_capacity,
    free_of,
    is_waiting,
)
from wicc_flow.patients.records import Pathway, PatientStay
from wicc_shared.kernel.reference import CareServiceType as T

NOW = at("2024-11-12", 10)
FRESHNESS = {t.value: timedelta(hours=24) for t in T} | {"dom_care": timedelta(hours=12)}


def figure(
    service_type: T,
    free: int,
    *,
    provider: str = "P1",
    localities: tuple[str, ...] = ("south",),
    hours_old: float = 1,
    category: str | None = None,
) -> CapacityFigure:
    return CapacityFigure(
        provider=provider,
        service_type=service_type,
        localities=localities,
        as_of=NOW - timedelta(hours=hours_old),
        free=free,
        category=category,
    )


def run(
    stays: list[PatientStay], figures: list[CapacityFigure], localities: tuple[str, ...] = ()
) -> dict[tuple[str, Pathway], DemandCapacity]:
    cells = demand_capacity(
        stays, figures, now=NOW, tz=LONDON, freshness=FRESHNESS, localities=localities
    )
    return {(c.locality, c.pathway): c for c in cells}


def test_who_is_waiting_now() -> None:
    assert is_waiting(stay(ready="2024-11-12"), NOW, LONDON)
    assert not is_waiting(stay(ready="2024-11-13"), NOW, LONDON)
    assert not is_waiting(stay(ready="2024-11-01", discharged_at=at("2024-11-12", 9)), NOW, LONDON)
    assert is_waiting(stay(ready="2024-11-01", discharged_at=at("2024-11-12", 11)), NOW, LONDON)
    assert not is_waiting(stay(ready="2024-11-01", withdrawn_at=at("2024-11-12", 10)), NOW, LONDON)


def test_pathway_one_waits_against_home_care_and_reablement_starts() -> None:
    stays = [stay(f"s{i}", pathway=Pathway.home_with_support, ready="2024-11-10") for i in range(5)]
    cells = run(stays, [figure(T.dom_care, 2), figure(T.reablement, 1, provider="R")])
    south = cells["south", Pathway.home_with_support]
    assert (south.waiting, south.fresh_free, south.stale_free, south.gap) == (5, 3, 0, 2)
    assert [line.service_type for line in south.lines] == [T.dom_care, T.reablement]


def test_pathway_two_counts_step_down_and_community_beds_but_not_step_up() -> None:
    figures = [
        figure(T.intermediate_care_step_down, 2),
        figure(T.community_hospital, 3, provider="CH"),
        figure(T.intermediate_care_step_up, 9, provider="UP"),
        figure(T.urgent_care_at_home, 9, provider="UC"),
    ]
    cell = run([], figures)["south", Pathway.short_term_bed]
    assert (cell.waiting, cell.fresh_free, cell.gap) == (0, 5, -5)


def test_pathway_three_has_a_line_per_care_home_category() -> None:
    figures = [
        figure(T.care_home, 1, category="nursing"),
        figure(T.care_home, 2, category="residential"),
        figure(T.care_home, 4, category="nursing", provider="P2"),
    ]
    stays = [stay(f"s{i}", pathway=Pathway.care_home, ready="2024-11-01") for i in range(3)]
    cell = run(stays, figures)["south", Pathway.care_home]
    assert [(line.category, line.fresh_free, len(line.figures)) for line in cell.lines] == [
        ("nursing", 5, 2),
        ("residential", 2, 1),
    ]
    assert (cell.waiting, cell.fresh_free, cell.gap) == (3, 7, -4)


def test_stale_figures_are_flagged_aged_and_kept_out_of_the_gap() -> None:
    figures = [
        figure(T.dom_care, 4, provider="OLD", hours_old=13),
        figure(T.dom_care, 1, provider="NEW", hours_old=2),
        figure(T.dom_care, 1, provider="EDGE", hours_old=12),  # exactly at the limit: fresh
    ]
    stays = [stay(f"s{i}", ready="2024-11-11") for i in range(3)]
    cell = run(stays, figures)["south", Pathway.home_with_support]
    [dom_care, _] = cell.lines
    states = {s.provider: (s.stale, s.age) for s in dom_care.figures}
    assert states == {
        "EDGE": (False, timedelta(hours=12)),
        "NEW": (False, timedelta(hours=2)),
        "OLD": (True, timedelta(hours=13)),
    }
    assert (cell.fresh_free, cell.stale_free, cell.gap) == (2, 4, 1)
    assert dom_care.oldest_fresh_as_of == NOW - timedelta(hours=12)


def test_localities_come_from_the_caller_the_stays_and_the_figures() -> None:
    cells = run(
        [stay(locality="north", ready="2024-11-11")],
        [figure(T.dom_care, 1, localities=("west", "south"))],
        localities=("east",),
    )
    assert sorted({loc for loc, _ in cells}) == ["east", "north", "south", "west"]
    assert {p for _, p in cells} == {
        Pathway.home_with_support,
        Pathway.short_term_bed,
        Pathway.care_home,
    }
    # A provider serving two localities counts in full in each.
    assert cells["west", Pathway.home_with_support].fresh_free == 1
    assert cells["south", Pathway.home_with_support].fresh_free == 1


def test_pathway_zero_patients_wait_for_no_care() -> None:
    cells = run([stay(pathway=Pathway.home, ready="2024-11-11")], [])
    assert all(c.waiting == 0 for c in cells.values())


def test_a_missing_freshness_limit_is_refused_by_name() -> None:
    partial = {k: v for k, v in FRESHNESS.items() if k != "reablement"}
    with pytest.raises(ValueError, match=r"no freshness limit for reablement$"):
        demand_capacity([], [], now=NOW, tz=LONDON, freshness=partial)


def test_a_figure_needs_a_time_zone_and_cannot_be_negative() -> None:
    with pytest.raises(ValueError, match="time zone"):
        CapacityFigure("P", T.dom_care, ("south",), datetime(2024, 11, 12), 1)
    with pytest.raises(ValueError, match="negative"):
        figure(T.dom_care, -1)


@pytest.mark.parametrize(
    ("service_type", "figures", "expected"),
    [
        (T.dom_care, {"package_starts_per_day": 3, "spare_hours_per_week": 20.5}, 3),
        (T.reablement, {"package_starts_per_day": 2}, 2),
        (T.community_hospital, {"beds_vacant_accepting": 4, "beds_vacant_reserved": 9}, 4),
        (T.care_home, {"beds_vacant_accepting": 1}, 1),
        (T.intermediate_care_step_up, {"beds_vacant_accepting": 5}, None),
        (T.urgent_care_at_home, {"slots": 5}, None),
        (T.dom_care, {"package_starts_per_day": None}, None),
    ],
)
def test_free_of_picks_the_figure_that_says_what_is_free(
    service_type: T, figures: dict[str, object], expected: int | None
) -> None:
    assert free_of(service_type, figures) == expected
