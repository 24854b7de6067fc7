"""docs/opel.md's worked example, system-file example and error example, checked
against the code and the shipped acute set, so the page cannot drift."""

from __future__ import annotations

import copy
import re
from datetime import timedelta
from pathlib import Path
from typing import Any

import pytest
import yaml

from tests.escalation.opel_support import ACUTE_FILE, NOW, ROOT, acute, given, inputs
from wicc_escalation.opel.config import ConfigError, load_parameter_set
from wicc_escalation.opel.scoring import InputStatus, ParameterScore, score_trust
from wicc_escalation.opel.system_config import SystemConfig

EN_DASH = "\N{EN DASH}"  # as the page writes ranges
DOC = (ROOT / "docs" / "opel.md").read_text()


def after(marker: str) -> str:
    """The page from just after the marker comment on."""
    start = DOC.index(f"<!-- {marker} -->") + len(f"<!-- {marker} -->")
    return DOC[start:].lstrip("\n")


def fenced(marker: str) -> str:
    block = re.match(r"```\w*\n(.*?)```", after(marker), re.DOTALL)
    assert block, marker
    return block.group(1)


def doc_inputs() -> dict[str, float]:
    data = yaml.safe_load(fenced("worked-example:inputs"))
    assert isinstance(data, dict)
    return {str(k): float(v) for k, v in data.items()}


def doc_rows() -> list[list[str]]:
    lines = after("worked-example:bands").split("\n\n")[0].splitlines()[2:]
    return [[cell.strip() for cell in line.strip("|").split("|")] for line in lines]


def shown_range(p: ParameterScore) -> str:
    if p.band_upper is None:
        return f"≥ {p.band_lower:g}"
    if p.band_lower is None:
        return f"< {p.band_upper:g}"
    return f"{p.band_lower:g}{EN_DASH}{p.band_upper:g}"


def test_every_row_of_the_worked_example_is_what_the_code_gives() -> None:
    score = score_trust(acute(), inputs(doc_inputs()), NOW)
    rows = doc_rows()
    assert [row[0].strip("`") for row in rows] == [p.key for p in score.parameters]
    for row, p in zip(rows, score.parameters, strict=True):
        assert (float(row[1]), int(row[2]), row[3], int(row[4])) == (
            p.value,
            p.band,
            shown_range(p),
            p.points,
        ), p.key


def test_the_worked_example_total_and_level() -> None:
    score = score_trust(acute(), inputs(doc_inputs()), NOW)
    shown = re.search(
        r"\*\*(\d+) of (\d+) → OPEL (\d)\*\* \(normalised ([\d.]+)\)",
        after("worked-example:result"),
    )
    assert shown
    assert (int(shown[1]), int(shown[2]), int(shown[3]), float(shown[4])) == (
        score.score,
        score.max_score,
        score.level,
        score.normalised,
    )
    assert score.firm


def test_the_worked_example_with_a_stale_input() -> None:
    values = inputs(doc_inputs())
    key = "adult_ga_occupancy_pct"
    values[key] = given(doc_inputs()[key], age=timedelta(hours=25))
    score = score_trust(acute(), values, NOW)
    shown = re.search(
        r"\*\*(\d+), could be (\d+) to (\d+) → OPEL (\d), could be (\d) to (\d)\.\*\*",
        after("worked-example:stale"),
    )
    assert shown
    assert [int(g) for g in shown.groups()] == [
        score.score,
        *score.score_range,
        score.level,
        *score.level_range,
    ]
    assert score.keys_with(InputStatus.stale) == [key]


def test_the_system_file_example_is_a_valid_system_file() -> None:
    data: Any = yaml.safe_load(fenced("example:system-file"))
    config = SystemConfig.model_validate(data)
    assert config.pillars


def test_the_error_example_is_the_loaders_message(tmp_path: Path) -> None:
    line = fenced("example:config-error").strip()
    shown_file, rest = line.split(": ", 1)
    data = copy.deepcopy(yaml.safe_load(ACUTE_FILE.read_text()))
    data["parameters"][2]["bands"][1]["upper"] = 95
    path = tmp_path / Path(shown_file).name
    path.write_text(yaml.safe_dump(data))
    with pytest.raises(ConfigError) as caught:
        load_parameter_set(path)
    assert str(caught.value) == f"{path}: {rest}"
