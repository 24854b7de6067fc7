"""System OPEL: organisations into pillars, pillars into the system."""

from __future__ import annotations

import copy
from typing import Any

import pytest
from hypothesis import given as hypothesis_given
from hypothesis import strategies as st

from tests.escalation.opel_support import (
    NOW,
    SYSTEM_FILE,
    acute,
    inputs,
    system_config,
    values_scoring,
)
from wicc_escalation.opel.config import load_parameter_set
from wicc_escalation.opel.parameter_set import ParameterSet, Pillar
from wicc_escalation.opel.scoring import TrustScore, score_trust
from wicc_escalation.opel.system import (
    Exclusion,
    combine_pillar,
    combine_system,
    score_system,
)
from wicc_escalation.opel.system_config import SystemConfig

COMMUNITY = SYSTEM_FILE.parent / "opel-2024-26-community-example.yaml"
MENTAL_HEALTH = SYSTEM_FILE.parent / "opel-2024-26-mental-health-example.yaml"
BEDS = {"RNZ": 150.0, "RN3": 176.0, "RD1": 160.0}


def scored(parameter_set: ParameterSet, total: int) -> TrustScore:
    return score_trust(parameter_set, inputs(values_scoring(parameter_set, total)), NOW)


def config_with(**changes: Any) -> SystemConfig:
    data = copy.deepcopy(system_config().model_dump(mode="json", exclude_defaults=False))
    data.update(changes)
    return SystemConfig.model_validate(data)


def test_the_acute_pillar_is_weighted_by_core_beds() -> None:
    # 27 is the acute maximum: 9 -> 33.3, 18 -> 66.7, 27 -> 100.0 on the 0-100 scale.
    scores = {"RNZ": scored(acute(), 9), "RN3": scored(acute(), 18), "RD1": scored(acute(), 27)}
    pillar = combine_pillar(Pillar.acute, system_config(), scores, BEDS)
    result = pillar.result
    # (150 x 33.3 + 176 x 66.7 + 160 x 100.0) / 486 = 67.35
    assert result.score == 67.4
    assert (result.level, result.partial) == (3, False)
    assert pillar.framework == "opel-2024-26-acute-local-v1"
    by_org = {c.member: c for c in result.contributions}
    assert [c.member for c in result.contributions] == ["RD1", "RN3", "RNZ"]
    assert by_org["RN3"].weight == 176.0
    assert by_org["RN3"].share == pytest.approx(176 / 486)
    assert (by_org["RN3"].score, by_org["RN3"].level) == (66.7, 3)
    assert sum(c.share or 0 for c in result.contributions) == pytest.approx(1)


def test_equal_and_explicit_weighting() -> None:
    scores = {"RNZ": scored(acute(), 0), "RN3": scored(acute(), 27)}
    equal = config_with(
        pillars={"acute": {"parameter_set": "a.yaml", "weighting": {"method": "equal"}}}
    )
    assert combine_pillar(Pillar.acute, equal, scores, {}).result.score == 50.0
    explicit = config_with(
        pillars={
            "acute": {
                "parameter_set": "a.yaml",
                "weighting": {"method": "explicit", "weights": {"RNZ": 3, "RN3": 1}},
            }
        }
    )
    assert combine_pillar(Pillar.acute, explicit, scores, {}).result.score == 25.0


def test_an_organisation_without_data_or_weight_is_named_not_counted() -> None:
    scores = {
        "RNZ": scored(acute(), 27),
        "RN3": score_trust(acute(), {}, NOW),  # nothing received
        "RD1": scored(acute(), 0),
    }
    result = combine_pillar(Pillar.acute, system_config(), scores, {"RNZ": 148, "RN3": 176}).result
    by_org = {c.member: c for c in result.contributions}
    assert by_org["RN3"].excluded is Exclusion.no_data
    assert by_org["RD1"].excluded is Exclusion.no_weight
    assert by_org["RN3"].share is None
    assert (result.score, result.partial) == (100.0, True)


def test_a_partial_organisation_gives_the_pillar_a_range() -> None:
    values = values_scoring(acute(), 9)
    del values["mean_ambulance_handover_minutes"]  # 3 points it could still add
    scores = {"RNZ": score_trust(acute(), inputs(values), NOW), "RN3": scored(acute(), 9)}
    result = combine_pillar(Pillar.acute, system_config(), scores, {"RNZ": 1, "RN3": 1}).result
    # RNZ: 6 of 27 known = 22.2, up to 9 = 33.3; RN3: 33.3.
    assert result.partial
    assert result.score_range == (27.8, 33.3)
    assert (result.level, result.level_range) == (2, (2, 2))


def test_an_organisation_scored_on_another_pillar_is_refused() -> None:
    community = scored(load_parameter_set(COMMUNITY), 3)
    with pytest.raises(ValueError, match="community pillar, not acute"):
        combine_pillar(Pillar.acute, system_config(), {"WHC": community}, {"WHC": 1})


def test_the_system_is_the_mean_of_the_pillars_that_have_a_score() -> None:
    system = score_system(
        system_config(),
        {
            Pillar.acute: {"RNZ": scored(acute(), 18)},  # 66.7
            Pillar.community: {"WHC": scored(load_parameter_set(COMMUNITY), 6)},  # 40.0
            Pillar.mental_health: {},  # nothing scored
        },
        BEDS,
        NOW,
    )
    result = system.result
    assert (result.score, result.level, result.partial) == (53.4, 3, True)
    by_pillar = {c.member: c for c in result.contributions}
    assert by_pillar["mental_health"].excluded is Exclusion.no_data
    assert by_pillar["acute"].share == by_pillar["community"].share == 0.5
    assert [p.pillar for p in system.pillars] == list(system_config().pillars)
    assert (system.system, system.config) == ("wiltshire", "system-wiltshire-local-v1")


def test_pillars_weighted_as_configured() -> None:
    config = config_with(
        combination={
            "method": "weighted",
            "weights": {"acute": 2, "community": 1, "mental_health": 1},
        }
    )
    pillars = [
        combine_pillar(Pillar.acute, config, {"RNZ": scored(acute(), 27)}, BEDS),
        combine_pillar(
            Pillar.community, config, {"WHC": scored(load_parameter_set(COMMUNITY), 0)}, {}
        ),
        combine_pillar(
            Pillar.mental_health, config, {"RVN": scored(load_parameter_set(MENTAL_HEALTH), 0)}, {}
        ),
    ]
    assert combine_system(config, pillars, NOW).result.score == 50.0


def test_a_system_with_no_scores_has_no_level() -> None:
    result = score_system(system_config(), {}, BEDS, NOW).result
    assert (result.score, result.level, result.partial) == (None, None, True)


@hypothesis_given(
    st.dictionaries(
        st.sampled_from(["RNZ", "RN3", "RD1", "RVN", "X1"]),
        st.tuples(st.integers(0, 27), st.integers(1, 500)),
        min_size=1,
    ),
    st.data(),
)
def test_a_pillar_lies_between_its_members_and_rises_with_any_of_them(
    members: dict[str, tuple[int, int]], data: st.DataObject
) -> None:
    scores = {org: scored(acute(), total) for org, (total, _) in members.items()}
    beds = {org: float(b) for org, (_, b) in members.items()}
    result = combine_pillar(Pillar.acute, system_config(), scores, beds).result
    shown = [s.normalised for s in scores.values()]
    assert result.score is not None
    assert min(shown) - 0.05 <= result.score <= max(shown) + 0.05
    org = data.draw(st.sampled_from(sorted(members)))
    worse = {**scores, org: scored(acute(), data.draw(st.integers(members[org][0], 27)))}
    raised = combine_pillar(Pillar.acute, system_config(), worse, beds).result
    assert raised.score is not None and raised.level is not None and result.level is not None
    assert raised.score >= result.score
    assert raised.level >= result.level
