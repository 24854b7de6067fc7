"""OPEL scoring: bands, points, totals, levels, partial scores and the what-if."""

from __future__ import annotations

import copy
from datetime import timedelta

import pytest
from hypothesis import given as hypothesis_given
from hypothesis import settings
from hypothesis import strategies as st

from tests.escalation.opel_support import (
    NOW,
    acute,
    domain_values,
    given,
    inputs,
    parameter_sets,
    set_and_values,
    shipped_sets,
)
from wicc_escalation.opel.parameter_set import Direction, Parameter, ParameterSet
from wicc_escalation.opel.ranges import contains
from wicc_escalation.opel.scoring import (
    InputStatus,
    InputValue,
    UnknownParameter,
    band_of,
    score_trust,
    what_if,
)

ALL_BEST = {
    "mean_ambulance_handover_minutes": 10,
    "four_hour_performance_pct": 85,
    "ed_majors_resus_occupancy_pct": 70,
    "median_time_to_treatment_minutes": 40,
    "ed_over_12h_pct": 1,
    "ed_referred_to_specialty_pct": 15,
    "adult_ga_occupancy_pct": 88,
    "nctr_pct_of_occupied": 8,
    "escalation_beds_pct_of_open": 0,
}
sets = st.one_of(st.sampled_from(shipped_sets()), parameter_sets())


def points(parameter: Parameter, value: float) -> int:
    found = band_of(parameter, value)
    assert found is not None
    return found[1].points


# Bands: the shipped placeholders, boundaries included -------------------------------


@pytest.mark.parametrize(
    ("key", "value", "band", "pts"),
    [
        ("mean_ambulance_handover_minutes", 14.9, 1, 0),
        ("mean_ambulance_handover_minutes", 15, 2, 1),  # on a boundary: the band above
        ("mean_ambulance_handover_minutes", 60, 4, 3),
        ("mean_ambulance_handover_minutes", 500, 4, 3),
        ("four_hour_performance_pct", 78, 1, 0),  # ">= 78" is the best band
        ("four_hour_performance_pct", 77.9, 2, 1),
        ("four_hour_performance_pct", 60, 3, 2),
        ("four_hour_performance_pct", 59.9, 4, 3),
        ("four_hour_performance_pct", 100, 1, 0),  # the domain's max is in the last band
        ("four_hour_performance_pct", 0, 4, 3),
        ("ed_over_12h_pct", 100, 4, 3),
    ],
)
def test_shipped_acute_bands(key: str, value: float, band: int, pts: int) -> None:
    score = score_trust(acute(), inputs({**ALL_BEST, key: value}), NOW)
    scored = next(p for p in score.parameters if p.key == key)
    assert (scored.status, scored.band, scored.points) == (InputStatus.ok, band, pts)
    assert score.score == pts


def test_every_parameter_is_shown_with_its_source() -> None:
    score = score_trust(acute(), inputs(ALL_BEST, event="evt-42"), NOW)
    assert [p.key for p in score.parameters] == list(ALL_BEST)
    for p in score.parameters:
        assert p.status is InputStatus.ok
        assert p.as_of == NOW - timedelta(hours=1)
        assert p.source_event_id == "evt-42"
        assert p.source_type == "sitrep.submitted"
    assert (score.level, score.score, score.max_score, score.normalised) == (1, 0, 27, 0.0)
    assert score.framework == "opel-2024-26-acute-local-v1"
    assert not score.partial
    assert score.firm


def test_level_cut_offs_of_the_shipped_acute_set() -> None:
    ps = acute()
    assert [(r.level, r.lower, r.upper) for r in ps.levels] == [
        (1, 0, 7),
        (2, 7, 14),
        (3, 14, 21),
        (4, 21, 27),
    ]


# Partial scores -----------------------------------------------------------------------


def test_a_stale_input_is_left_out_and_named() -> None:
    values = {**ALL_BEST, "adult_ga_occupancy_pct": 99.0}  # 3 points when fresh
    fresh = score_trust(acute(), inputs(values), NOW)
    stale_inputs = inputs(values)
    stale_inputs["adult_ga_occupancy_pct"] = given(99.0, age=timedelta(hours=24, seconds=1))
    stale = score_trust(acute(), stale_inputs, NOW)
    assert fresh.score == 3
    assert not fresh.partial
    assert stale.partial
    assert stale.keys_with(InputStatus.stale) == ["adult_ga_occupancy_pct"]
    assert (stale.score, stale.score_range) == (0, (0, 3))
    scored = next(p for p in stale.parameters if p.key == "adult_ga_occupancy_pct")
    assert (scored.value, scored.points, scored.band) == (99.0, None, None)
    assert scored.as_of == NOW - timedelta(hours=24, seconds=1)


def test_exactly_at_the_stale_limit_an_input_still_counts() -> None:
    values = inputs(ALL_BEST)
    values["adult_ga_occupancy_pct"] = given(99.0, age=timedelta(hours=24))
    assert not score_trust(acute(), values, NOW).partial


def test_a_partial_level_is_a_floor_with_the_levels_still_possible() -> None:
    values = {**ALL_BEST, "mean_ambulance_handover_minutes": 70, "ed_over_12h_pct": 12}
    values.pop("four_hour_performance_pct")
    values.pop("adult_ga_occupancy_pct")
    values.pop("nctr_pct_of_occupied")
    score = score_trust(acute(), inputs(values), NOW)
    assert score.keys_with(InputStatus.missing) == [
        "four_hour_performance_pct",
        "adult_ga_occupancy_pct",
        "nctr_pct_of_occupied",
    ]
    # 6 points known; the three missing could add 0 to 9.
    assert (score.score, score.score_range) == (6, (6, 15))
    assert (score.level, score.level_range) == (1, (1, 3))
    assert not score.firm


def test_no_usable_input_gives_no_level() -> None:
    score = score_trust(acute(), {}, NOW)
    assert score.level is None
    assert score.level_range == (1, 4)
    assert score.partial


@pytest.mark.parametrize("value", [-1.0, 100.5, float("nan"), float("inf")])
def test_a_value_outside_the_domain_is_invalid_not_scored(value: float) -> None:
    score = score_trust(acute(), inputs({**ALL_BEST, "four_hour_performance_pct": value}), NOW)
    scored = next(p for p in score.parameters if p.key == "four_hour_performance_pct")
    assert scored.status is InputStatus.invalid
    assert scored.points is None
    assert score.partial


def test_inputs_of_other_parameter_sets_are_ignored() -> None:
    with_extra = inputs({**ALL_BEST, "calls_abandoned_pct": 50})
    assert score_trust(acute(), with_extra, NOW) == score_trust(acute(), inputs(ALL_BEST), NOW)


# What-if ----------------------------------------------------------------------------------


def test_what_if_gives_the_overridden_score_and_changes_nothing() -> None:
    real = inputs(ALL_BEST)
    kept = copy.deepcopy(real)
    before = score_trust(acute(), real, NOW)
    trial = what_if(acute(), real, {"adult_ga_occupancy_pct": 99, "ed_over_12h_pct": 6}, NOW)
    assert (trial.score, trial.level) == (5, 1)
    changed = next(p for p in trial.parameters if p.key == "adult_ga_occupancy_pct")
    assert (changed.source_type, changed.source_event_id, changed.as_of) == ("what_if", None, NOW)
    assert real == kept
    assert score_trust(acute(), real, NOW) == before


def test_what_if_can_fill_a_missing_input() -> None:
    values = dict(ALL_BEST)
    values.pop("nctr_pct_of_occupied")
    trial = what_if(acute(), inputs(values), {"nctr_pct_of_occupied": 25}, NOW)
    assert (trial.partial, trial.score) == (False, 3)


def test_what_if_refuses_an_unknown_parameter() -> None:
    with pytest.raises(UnknownParameter, match="occupancy_typo") as caught:
        what_if(acute(), inputs(ALL_BEST), {"occupancy_typo": 99}, NOW)
    assert caught.value.key == "occupancy_typo"


# Properties over the shipped sets and generated sets -------------------------------------


@settings(max_examples=200)
@hypothesis_given(sets.flatmap(lambda ps: st.tuples(st.just(ps), st.data())))
def test_bands_are_contiguous_and_total(case: tuple[ParameterSet, st.DataObject]) -> None:
    """Every value of the domain is in exactly one band; nothing outside it is."""
    parameter_set, data = case
    for p in parameter_set.parameters:
        value = data.draw(domain_values(p))
        last = len(p.bands) - 1
        holding = [
            i for i, b in enumerate(p.bands) if contains((b.lower, b.upper), value, last=i == last)
        ]
        assert len(holding) == 1
        if p.domain.min is not None:
            assert band_of(p, p.domain.min - 0.001) is None
        if p.domain.max is not None:
            assert band_of(p, p.domain.max + 0.001) is None


@settings(max_examples=200)
@hypothesis_given(sets.flatmap(lambda ps: st.tuples(st.just(ps), st.data())))
def test_points_are_monotonic_in_the_worse_direction(
    case: tuple[ParameterSet, st.DataObject],
) -> None:
    parameter_set, data = case
    for p in parameter_set.parameters:
        a, b = sorted([data.draw(domain_values(p)), data.draw(domain_values(p))])
        if p.direction is Direction.higher_is_worse:
            assert points(p, a) <= points(p, b)
        else:
            assert points(p, a) >= points(p, b)


@settings(max_examples=200)
@hypothesis_given(set_and_values, st.data())
def test_a_worse_value_never_lowers_the_score_or_level(
    case: tuple[ParameterSet, dict[str, float]], data: st.DataObject
) -> None:
    parameter_set, values = case
    p = data.draw(st.sampled_from(parameter_set.parameters))
    other = data.draw(domain_values(p))
    current = values[p.key]
    worse_first = p.direction is Direction.higher_is_worse
    better, worse = sorted([current, other]) if worse_first else sorted([current, other])[::-1]
    low = score_trust(parameter_set, inputs({**values, p.key: better}), NOW)
    high = score_trust(parameter_set, inputs({**values, p.key: worse}), NOW)
    assert low.score <= high.score
    assert low.level is not None and high.level is not None
    assert low.level <= high.level


@hypothesis_given(set_and_values)
def test_the_same_inputs_always_give_the_same_score(
    case: tuple[ParameterSet, dict[str, float]],
) -> None:
    parameter_set, values = case
    first = score_trust(parameter_set, inputs(values), NOW)
    again = score_trust(parameter_set, inputs(dict(reversed(list(values.items())))), NOW)
    assert first == again
    assert first.score == sum(p.points or 0 for p in first.parameters)
    assert first.min_score <= first.score <= first.max_score
    assert 0 <= first.normalised <= 100


@hypothesis_given(set_and_values, st.data())
def test_a_partial_range_holds_every_full_score(
    case: tuple[ParameterSet, dict[str, float]], data: st.DataObject
) -> None:
    """Whatever the left-out inputs turn out to be, the full score and level fall in
    the partial score's ranges."""
    parameter_set, values = case
    dropped = data.draw(st.sets(st.sampled_from(list(values)), min_size=1))
    partial = score_trust(
        parameter_set, inputs({k: v for k, v in values.items() if k not in dropped}), NOW
    )
    full = score_trust(parameter_set, inputs(values), NOW)
    assert partial.partial
    assert partial.score_range[0] <= full.score <= partial.score_range[1]
    assert full.level is not None
    assert partial.level_range[0] <= full.level <= partial.level_range[1]


@hypothesis_given(set_and_values, st.data())
def test_what_if_changes_nothing(
    case: tuple[ParameterSet, dict[str, float]], data: st.DataObject
) -> None:
    parameter_set, values = case
    real = inputs(values)
    kept = dict(real)
    before = score_trust(parameter_set, real, NOW)
    p = data.draw(st.sampled_from(parameter_set.parameters))
    value = data.draw(domain_values(p))
    trial = what_if(parameter_set, real, {p.key: value}, NOW)
    assert real == kept
    assert score_trust(parameter_set, real, NOW) == before
    assert what_if(parameter_set, real, {}, NOW) == before
    as_override = InputValue(value, NOW, None, "what_if")
    assert trial == score_trust(parameter_set, {**real, p.key: as_override}, NOW)
