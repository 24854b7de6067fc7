"""OPEL configuration files: the shipped ones load; a broken one is refused with an
error naming the file and the key."""

from __future__ import annotations

import copy
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.escalation.opel_support import (
    ACUTE_FILE,
    CARDS_FILE,
    OPEL_DIR,
    PARAMETER_SET_FILES,
    SYSTEM_FILE,
)
from wicc_escalation.opel.cards import CardKind
from wicc_escalation.opel.config import (
    ConfigError,
    load_action_cards,
    load_opel_config,
    load_parameter_set,
    load_system_config,
)
from wicc_escalation.opel.parameter_set import ConfigStatus, Pillar

Edit = Callable[[dict[str, Any]], None]


def raw(path: Path) -> dict[str, Any]:
    data = yaml.safe_load(path.read_text())
    assert isinstance(data, dict)
    return data


def write(tmp_path: Path, name: str, data: dict[str, Any]) -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, sort_keys=False))
    return path


def refused(load: Callable[[Path], object], path: Path) -> ConfigError:
    with pytest.raises(ConfigError) as caught:
        load(path)
    error = caught.value
    assert error.file == str(path)
    assert str(error).startswith(f"{path}: ")
    return error


# The shipped files --------------------------------------------------------------------


def test_the_shipped_configuration_loads_and_cross_checks() -> None:
    config = load_opel_config(SYSTEM_FILE)
    assert set(config.parameter_sets) == {Pillar.acute, Pillar.community, Pillar.mental_health}
    assert config.parameter_sets[Pillar.acute].id == "opel-2024-26-acute-local-v1"
    assert config.system.damping.hold_minutes == 30
    assert config.system.declarations.divergence_minutes == 60
    for kind in (CardKind.acute, CardKind.community, CardKind.mental_health, CardKind.system):
        for level in (2, 3, 4):
            assert config.action_cards.cards_for(kind, level), (kind, level)


def test_the_acute_default_has_the_nine_parameters_of_the_framework() -> None:
    keys = [p.key for p in load_parameter_set(ACUTE_FILE).parameters]
    assert keys == [
        "mean_ambulance_handover_minutes",
        "four_hour_performance_pct",
        "ed_majors_resus_occupancy_pct",
        "median_time_to_treatment_minutes",
        "ed_over_12h_pct",
        "ed_referred_to_specialty_pct",
        "adult_ga_occupancy_pct",
        "nctr_pct_of_occupied",
        "escalation_beds_pct_of_open",
    ]


@pytest.mark.parametrize("path", [*PARAMETER_SET_FILES, SYSTEM_FILE, CARDS_FILE], ids=str)
def test_every_shipped_file_says_its_thresholds_are_not_national(path: Path) -> None:
    data = raw(path)
    text = path.read_text()
    if "example" in path.name:
        assert data["status"] == ConfigStatus.example
        assert "EXAMPLE ONLY" in text
        assert "Example only" in data["notice"]
    else:
        assert data["status"] == ConfigStatus.local_unconfirmed
        assert "LOCAL CONFIGURATION TO BE CONFIRMED" in text
        assert "to be confirmed" in data["notice"]


def test_the_four_pillar_formats_share_one_loader() -> None:
    pillars = {load_parameter_set(p).pillar for p in PARAMETER_SET_FILES}
    assert pillars == set(Pillar)


# A broken parameter set ----------------------------------------------------------------


def _set(path: list[Any], value: Any) -> Edit:
    def edit(data: dict[str, Any]) -> None:
        node: Any = data
        for part in path[:-1]:
            node = node[part]
        node[path[-1]] = value

    return edit


def _delete(key: str) -> Edit:
    return lambda data: data.pop(key)


BROKEN_SETS: list[tuple[str, Edit, str, str]] = [
    (
        "unknown key",
        _set(["parameters", 2, "weight"], 2),
        "parameters[2].weight",
        "unknown key",
    ),
    (
        "gap between bands",
        _set(["parameters", 2, "bands", 1, "upper"], 95),
        "parameters[2].bands[2].lower",
        "gap: values from 95 up to 100 fall in no band",
    ),
    (
        "overlapping bands",
        _set(["parameters", 0, "bands", 2, "lower"], 25),
        "parameters[0].bands[2].lower",
        "overlaps the band before it",
    ),
    (
        "empty band",
        _set(["parameters", 0, "bands", 1, "upper"], 15),
        "parameters[0].bands[1].upper",
        "must be above lower",
    ),
    (
        "bands stop short of the domain's max",
        _set(["parameters", 1, "bands", 3, "upper"], 99),
        "parameters[1].bands[3].upper",
        "must end at the domain's max (100)",
    ),
    (
        "bands start above the domain's min",
        _set(["parameters", 0, "bands", 0, "lower"], 5),
        "parameters[0].bands[0].lower",
        "must start at the domain's min (0)",
    ),
    (
        "an open band in the middle",
        _set(["parameters", 0, "bands", 1, "upper"], None),
        "parameters[0].bands[1].upper",
        "only the last band may have no upper bound",
    ),
    (
        "points fall as a higher value gets worse",
        _set(["parameters", 0, "bands", 3, "points"], 1),
        "parameters[0].bands[3].points",
        "points must not fall as values get worse",
    ),
    (
        "points fall as a lower value gets worse",
        _set(["parameters", 1, "bands", 0, "points"], 0),
        "parameters[1].bands[1].points",
        "points must not fall as values get worse (lower_is_worse)",
    ),
    (
        "duplicate parameter key",
        _set(["parameters", 3, "key"], "mean_ambulance_handover_minutes"),
        "parameters[3].key",
        "duplicate parameter key",
    ),
    (
        "unknown direction",
        _set(["parameters", 4, "direction"], "up"),
        "parameters[4].direction",
        "higher_is_worse",
    ),
    (
        "not a number",
        _set(["parameters", 0, "stale_after_hours"], "a day"),
        "parameters[0].stale_after_hours",
        "number",
    ),
    ("missing notice", _delete("notice"), "notice", "required key is missing"),
    (
        "unknown level",
        _set(["levels", 3, "level"], 5),
        "levels[3].level",
        "unknown OPEL level 5",
    ),
    (
        "levels out of order",
        _set(["levels", 1, "level"], 3),
        "levels[1].level",
        "OPEL 1, 2, 3 and 4 once each, in order",
    ),
    (
        "gap between levels",
        _set(["levels", 1, "upper"], 13),
        "levels[2].lower",
        "gap: values from 13 up to 14",
    ),
    (
        "overlapping levels",
        _set(["levels", 2, "lower"], 12),
        "levels[2].lower",
        "overlaps",
    ),
    (
        "the highest totals unmapped",
        _set(["levels", 3, "upper"], 25),
        "levels[3].upper",
        "scores above 25 up to 27 can be reached but map to no level",
    ),
    (
        "the lowest totals unmapped",
        _set(["levels", 0, "lower"], 1),
        "levels[0].lower",
        "scores from 0 up to 1 can be reached but map to no level",
    ),
    (
        "a level no total reaches",
        lambda d: d.update(
            levels=[
                {"level": 1, "lower": 0, "upper": 7},
                {"level": 2, "lower": 7, "upper": 14},
                {"level": 3, "lower": 14, "upper": 30},
                {"level": 4, "lower": 30, "upper": 40},
            ]
        ),
        "levels[3]",
        "OPEL 4 can never be reached: scores run from 0 to 27",
    ),
]


@pytest.mark.parametrize(
    ("edit", "key", "message"), [c[1:] for c in BROKEN_SETS], ids=[c[0] for c in BROKEN_SETS]
)
def test_a_broken_parameter_set_is_refused_naming_file_and_key(
    tmp_path: Path, edit: Edit, key: str, message: str
) -> None:
    data = copy.deepcopy(raw(ACUTE_FILE))
    edit(data)
    error = refused(load_parameter_set, write(tmp_path, "broken.yaml", data))
    assert error.key == key, str(error)
    assert message in error.message, str(error)
    assert f"broken.yaml: {key}: " in str(error)


def test_every_problem_of_a_file_is_listed(tmp_path: Path) -> None:
    data = copy.deepcopy(raw(ACUTE_FILE))
    data["parameters"][0]["colour"] = "red"
    data["parameters"][5]["unit"] = "Per Cent"
    error = refused(load_parameter_set, write(tmp_path, "two.yaml", data))
    assert [p.key for p in error.problems] == ["parameters[0].colour", "parameters[5].unit"]


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        ("id: a\nid: b\n", "line 2", "key 'id' appears twice"),
        ("levels:\n  - {level: 1\n", "line 3", "expected ','"),
        ("- just\n- a list\n", "", "must hold a mapping"),
    ],
)
def test_unreadable_yaml_is_refused_with_its_line(
    tmp_path: Path, text: str, key: str, message: str
) -> None:
    path = tmp_path / "bad.yaml"
    path.write_text(text)
    error = refused(load_parameter_set, path)
    assert (error.key, message in error.message) == (key, True), str(error)


def test_a_missing_file_is_refused(tmp_path: Path) -> None:
    error = refused(load_parameter_set, tmp_path / "nowhere.yaml")
    assert "cannot read" in error.message


# A broken system configuration -----------------------------------------------------------


BROKEN_SYSTEMS: list[tuple[str, Edit, str, str]] = [
    (
        "unknown pillar",
        _set(["pillars", "ambulance"], {"parameter_set": "x.yaml"}),
        "pillars.ambulance",
        "not allowed as a key",
    ),
    (
        "explicit weighting without weights",
        _set(["pillars", "acute", "weighting"], {"method": "explicit"}),
        "pillars.acute.weighting.weights",
        "needed with method explicit",
    ),
    (
        "beds without a bed area",
        _set(["pillars", "acute", "weighting"], {"method": "beds"}),
        "pillars.acute.weighting.bed_area",
        "needed with method beds",
    ),
    (
        "a zero weight",
        _set(["pillars", "acute", "weighting"], {"method": "explicit", "weights": {"RNZ": 0}}),
        "pillars.acute.weighting.weights.RNZ",
        "above 0",
    ),
    (
        "weighted pillars with a pillar left out",
        _set(["combination"], {"method": "weighted", "weights": {"acute": 2, "community": 1}}),
        "combination.weights",
        "no weight for pillar mental_health",
    ),
    (
        "a weight for a pillar not configured",
        _set(
            ["combination"],
            {
                "method": "weighted",
                "weights": {"acute": 2, "community": 1, "mental_health": 1, "nhs_111": 1},
            },
        ),
        "combination.weights.nhs_111",
        "not configured",
    ),
    (
        "system levels short of 100",
        _set(["levels", 3, "upper"], 90),
        "levels[3].upper",
        "scores above 90 up to 100",
    ),
    (
        "negative hold",
        _set(["damping", "hold_minutes"], -5),
        "damping.hold_minutes",
        "greater than or equal to 0",
    ),
    (
        "no divergence time",
        _set(["declarations", "divergence_minutes"], 0),
        "declarations.divergence_minutes",
        "greater than 0",
    ),
]


@pytest.mark.parametrize(
    ("edit", "key", "message"),
    [c[1:] for c in BROKEN_SYSTEMS],
    ids=[c[0] for c in BROKEN_SYSTEMS],
)
def test_a_broken_system_file_is_refused_naming_file_and_key(
    tmp_path: Path, edit: Edit, key: str, message: str
) -> None:
    data = copy.deepcopy(raw(SYSTEM_FILE))
    edit(data)
    error = refused(load_system_config, write(tmp_path, "system.yaml", data))
    assert error.key == key, str(error)
    assert message in error.message, str(error)


def _copy_configuration(tmp_path: Path) -> Path:
    for path in OPEL_DIR.glob("*.yaml"):
        (tmp_path / path.name).write_text(path.read_text())
    return tmp_path / SYSTEM_FILE.name


def test_a_pillar_pointing_at_another_pillars_set_is_refused(tmp_path: Path) -> None:
    system = _copy_configuration(tmp_path)
    data = raw(system)
    data["pillars"]["acute"]["parameter_set"] = "opel-2024-26-community-example.yaml"
    write(tmp_path, system.name, data)
    error = refused(load_opel_config, system)
    assert error.key == "pillars.acute.parameter_set"
    assert "scores the community pillar, not acute" in error.message


def test_a_broken_set_named_by_the_system_file_is_refused_naming_that_set(
    tmp_path: Path,
) -> None:
    system = _copy_configuration(tmp_path)
    acute_copy = tmp_path / ACUTE_FILE.name
    data = raw(acute_copy)
    data["parameters"][0]["bands"][1]["lower"] = 16
    write(tmp_path, acute_copy.name, data)
    with pytest.raises(ConfigError) as caught:
        load_opel_config(system)
    assert (caught.value.file, caught.value.key) == (
        str(acute_copy),
        "parameters[0].bands[1].lower",
    )


# Broken action cards ----------------------------------------------------------------------


BROKEN_CARDS: list[tuple[str, Edit, str, str]] = [
    (
        "unknown level",
        lambda d: d["kinds"]["acute"].update({5: d["kinds"]["acute"][4]}),
        "kinds.acute.5",
        "not allowed as a key: unknown OPEL level 5",
    ),
    (
        "unknown kind",
        lambda d: d["kinds"].update(hospital={}),
        "kinds.hospital",
        "not allowed as a key",
    ),
    (
        "duplicate card id",
        _set(["kinds", "community", 3, 0, "id"], "acute-2-site-huddle"),
        "kinds.community.3[0].id",
        "duplicate card id 'acute-2-site-huddle'",
    ),
    (
        "two owners",
        _set(["kinds", "acute", 2, 0, "owner"], {"role": "site_manager", "organisation": "RNZ"}),
        "kinds.acute.2[0].owner",
        "exactly one of role, organisation, organisation_kind",
    ),
    (
        "an unknown owner kind",
        _set(["kinds", "system", 3, 1, "owner"], {"organisation_kind": "council"}),
        "kinds.system.3[1].owner.organisation_kind",
        "local_authority",
    ),
    (
        "no due time",
        _set(["kinds", "acute", 3, 0, "due_minutes"], 0),
        "kinds.acute.3[0].due_minutes",
        "greater than 0",
    ),
]


@pytest.mark.parametrize(
    ("edit", "key", "message"), [c[1:] for c in BROKEN_CARDS], ids=[c[0] for c in BROKEN_CARDS]
)
def test_broken_action_cards_are_refused_naming_file_and_key(
    tmp_path: Path, edit: Edit, key: str, message: str
) -> None:
    data = copy.deepcopy(raw(CARDS_FILE))
    edit(data)
    error = refused(load_action_cards, write(tmp_path, "cards.yaml", data))
    assert error.key == key, str(error)
    assert message in error.message, str(error)
