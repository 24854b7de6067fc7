"""Builders and Hypothesis strategies for the OPEL rules' tests."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import UTC, datetime, timedelta
from functools import cache
from pathlib import Path
from typing import Any

from hypothesis import strategies as st

from wicc_escalation.opel.config import load_parameter_set, load_system_config
from wicc_escalation.opel.parameter_set import Direction, Parameter, ParameterSet
from wicc_escalation.opel.scoring import InputValue
from wicc_escalation.opel.system_config import SystemConfig

ROOT = Path(__file__).resolve().parents[2]
OPEL_DIR = ROOT / "reference" / "opel"
ACUTE_FILE = OPEL_DIR / "opel-2024-26-acute-local-v1.yaml"
SYSTEM_FILE = OPEL_DIR / "system-wiltshire-local-v1.yaml"
CARDS_FILE = OPEL_DIR / "action-cards.yaml"
PARAMETER_SET_FILES = sorted(OPEL_DIR.glob("opel-*.yaml"))
NOW = datetime(2025, 1, 6, 10, 0, tzinfo=UTC)


@cache  # loaded models are frozen: safe to share between tests
def acute() -> ParameterSet:
    return load_parameter_set(ACUTE_FILE)


def shipped_sets() -> list[ParameterSet]:
    return [load_parameter_set(path) for path in PARAMETER_SET_FILES]


@cache
def system_config() -> SystemConfig:
    return load_system_config(SYSTEM_FILE)


def given(value: float, *, age: timedelta = timedelta(hours=1), event: str = "evt-1") -> InputValue:
    return InputValue(value, NOW - age, event, "sitrep.submitted")


def inputs(values: Mapping[str, float], **kwargs: Any) -> dict[str, InputValue]:
    return {key: given(value, **kwargs) for key, value in values.items()}


def parameter_dict(
    *,
    key: str = "p",
    direction: str = "higher_is_worse",
    cuts: tuple[float | None, ...] = (0, 10, 20, None),
    points: tuple[int, ...] = (0, 1, 2),
    stale_after_hours: float = 24,
) -> dict[str, Any]:
    """A parameter as it appears in a file: bands between consecutive `cuts`."""
    bands = [
        {"lower": cuts[i], "upper": cuts[i + 1], "points": points[i]} for i in range(len(points))
    ]
    return {
        "key": key,
        "name": key.replace("_", " "),
        "unit": "percent",
        "direction": direction,
        "domain": {"min": cuts[0], "max": cuts[-1]},
        "stale_after_hours": stale_after_hours,
        "bands": bands,
    }


def parameter_set_dict(
    parameters: list[dict[str, Any]], levels: list[float], **overrides: Any
) -> dict[str, Any]:
    """A parameter set file's contents; `levels` are the five edges of OPEL 1-4."""
    data: dict[str, Any] = {
        "id": "test-set-v1",
        "name": "Test set",
        "framework": "test",
        "pillar": "acute",
        "status": "example",
        "notice": "Test only.",
        "parameters": parameters,
        "levels": [{"level": i + 1, "lower": levels[i], "upper": levels[i + 1]} for i in range(4)],
    }
    data.update(overrides)
    return data


@st.composite
def parameter_dicts(draw: st.DrawFn, key: str) -> dict[str, Any]:
    count = draw(st.integers(2, 5))
    edges = sorted(
        draw(st.lists(st.integers(-500, 500), min_size=count + 1, max_size=count + 1, unique=True))
    )
    cuts: list[float | None] = [float(e) for e in edges]
    if draw(st.booleans()):
        cuts[0] = None
    if draw(st.booleans()):
        cuts[-1] = None
    points = sorted(draw(st.lists(st.integers(0, 4), min_size=count, max_size=count)))
    points[-1] += draw(st.integers(1, 4))  # at least one step, so totals can differ
    direction = draw(st.sampled_from(list(Direction)))
    if direction is Direction.lower_is_worse:
        points.reverse()
    return parameter_dict(
        key=key, direction=direction.value, cuts=tuple(cuts), points=tuple(points)
    )


@st.composite
def parameter_sets(draw: st.DrawFn) -> ParameterSet:
    """Valid parameter sets of every shape: 3-6 parameters, 2-5 bands, either direction,
    open or closed ends, points rising towards worse, levels cut anywhere reachable."""
    count = draw(st.integers(3, 6))
    params = [draw(parameter_dicts(f"p{i}")) for i in range(count)]
    low = sum(min(b["points"] for b in p["bands"]) for p in params)
    high = sum(max(b["points"] for b in p["bands"]) for p in params)
    inner = sorted(draw(st.lists(st.integers(low + 1, high), min_size=3, max_size=3, unique=True)))
    # The top range may reach past the highest total; it must not be empty.
    return ParameterSet.model_validate(parameter_set_dict(params, [low, *inner, high + 1]))


def domain_values(parameter: Parameter) -> st.SearchStrategy[float]:
    """Values inside the parameter's domain, band edges included (they are where
    off-by-one mistakes live)."""
    lo = parameter.domain.min if parameter.domain.min is not None else -1e6
    hi = parameter.domain.max if parameter.domain.max is not None else 1e6
    edges = [e for b in parameter.bands for e in (b.lower, b.upper) if e is not None]
    return st.one_of(
        st.floats(lo, hi, allow_nan=False, allow_infinity=False), st.sampled_from(edges)
    )


@st.composite
def full_inputs(draw: st.DrawFn, parameter_set: ParameterSet) -> dict[str, float]:
    return {p.key: draw(domain_values(p)) for p in parameter_set.parameters}


set_and_values = st.one_of(st.sampled_from(shipped_sets()), parameter_sets()).flatmap(
    lambda ps: st.tuples(st.just(ps), full_inputs(ps))
)


def values_scoring(parameter_set: ParameterSet, total: int) -> dict[str, float]:
    """Values (one per parameter) whose points add up to `total`, filling parameters
    in order. Works for sets whose bands earn every points value from 0 to the max."""
    values: dict[str, float] = {}
    remaining = total
    for p in parameter_set.parameters:
        want = min(remaining, p.max_points)
        band = next(b for b in p.bands if b.points == want)
        values[p.key] = band.lower if band.lower is not None else (band.upper or 0) - 1
        remaining -= want
    if remaining:
        raise ValueError(f"{total} is above the set's maximum")
    return values
