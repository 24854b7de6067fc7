"""Loading the OPEL configuration files: parameter sets, a system's configuration and
action cards. A broken file is refused with an error naming the file and the key.

Loaded once at start; a system supplies its own files by pointing at its own system
file, which names its parameter sets and action cards (paths relative to itself).
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

import yaml
from pydantic import BaseModel, ValidationError
from pydantic_core import ErrorDetails

from wicc_escalation.opel.cards import ActionCards
from wicc_escalation.opel.config_error import ConfigError, ConfigProblem, InvalidAt
from wicc_escalation.opel.parameter_set import ParameterSet, Pillar
from wicc_escalation.opel.system_config import SystemConfig

__all__ = [
    "ConfigError",
    "OpelConfig",
    "load_action_cards",
    "load_opel_config",
    "load_parameter_set",
    "load_system_config",
]

Model = TypeVar("Model", bound=BaseModel)


@dataclass(frozen=True)
class OpelConfig:
    """Everything one system's OPEL needs, cross-checked."""

    system: SystemConfig
    parameter_sets: dict[Pillar, ParameterSet]
    action_cards: ActionCards


def load_parameter_set(path: Path) -> ParameterSet:
    return _load(path, ParameterSet)


def load_system_config(path: Path) -> SystemConfig:
    return _load(path, SystemConfig)


def load_action_cards(path: Path) -> ActionCards:
    return _load(path, ActionCards)


def load_opel_config(system_path: Path) -> OpelConfig:
    """The system file, then the parameter sets and action cards it names."""
    system = load_system_config(system_path)
    folder = system_path.parent
    sets: dict[Pillar, ParameterSet] = {}
    for pillar, pillar_config in system.pillars.items():
        parameter_set = load_parameter_set(folder / pillar_config.parameter_set)
        if parameter_set.pillar is not pillar:
            raise ConfigError(
                str(system_path),
                [
                    ConfigProblem(
                        f"pillars.{pillar.value}.parameter_set",
                        f"{pillar_config.parameter_set} scores the {parameter_set.pillar.value}"
                        f" pillar, not {pillar.value}",
                    )
                ],
            )
        sets[pillar] = parameter_set
    cards = load_action_cards(folder / system.action_cards)
    return OpelConfig(system=system, parameter_sets=sets, action_cards=cards)


def _load(path: Path, model: type[Model]) -> Model:
    file = str(path)
    raw = _read_yaml(path)
    if not isinstance(raw, dict):
        raise ConfigError(file, [ConfigProblem("", "the file must hold a mapping of keys")])
    try:
        return model.model_validate(raw)
    except ValidationError as exc:
        raise ConfigError(file, [_problem(raw, e) for e in exc.errors()]) from None


def _read_yaml(path: Path) -> Any:
    try:
        text = path.read_text(encoding="utf-8")
    except OSError as exc:
        raise ConfigError(str(path), [ConfigProblem("", f"cannot read: {exc.strerror}")]) from None
    try:
        return yaml.load(text, Loader=_UniqueKeyLoader)  # noqa: S506 (a SafeLoader subclass)
    except yaml.MarkedYAMLError as exc:
        line = f"line {exc.problem_mark.line + 1}" if exc.problem_mark else ""
        raise ConfigError(str(path), [ConfigProblem(line, str(exc.problem))]) from None
    except yaml.YAMLError as exc:
        raise ConfigError(str(path), [ConfigProblem("", str(exc))]) from None


class _UniqueKeyLoader(yaml.SafeLoader):
    """PyYAML keeps the last of two equal keys silently; a repeated level or parameter
    would then drop the first without a word, so it is refused."""

    def construct_mapping(self, node: yaml.MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: set[Any] = set()
        for key_node, _ in node.value:
            key = self.construct_object(key_node, deep=deep)
            if key in seen:
                raise yaml.constructor.ConstructorError(
                    None, None, f"key {key!r} appears twice in one mapping", key_node.start_mark
                )
            seen.add(key)
        return super().construct_mapping(node, deep=deep)


def _problem(raw: Any, error: ErrorDetails) -> ConfigProblem:
    loc: tuple[Any, ...] = tuple(error["loc"])
    message = error["msg"]
    cause = error.get("ctx", {}).get("error")
    if isinstance(cause, InvalidAt):
        loc, message = loc + cause.path, cause.message
    elif error["type"] == "extra_forbidden":
        message = "unknown key"
    elif error["type"] == "missing":
        message = "required key is missing"
    if loc and loc[-1] == "[key]":
        loc, message = loc[:-1], f"not allowed as a key: {message}"
    return ConfigProblem(key_path(raw, loc), message)


def key_path(raw: Any, loc: Sequence[str | int]) -> str:
    """`parameters[2].bands[1].upper`: list positions in brackets, mapping keys dotted
    (a mapping's number key, such as a level, stays dotted: `kinds.acute.3`)."""
    text, node = "", raw
    for part in loc:
        if isinstance(node, list) and isinstance(part, int):
            text += f"[{part}]"
            node = node[part] if 0 <= part < len(node) else None
        else:
            text += f".{part}" if text else str(part)
            node = _child(node, part)
    return text


def _child(node: Any, part: str | int) -> Any:
    if not isinstance(node, dict):
        return None
    if part in node:
        return node[part]
    # Keys reach pydantic as written in YAML (numbers as numbers) but may come back as text.
    matches = [value for key, value in node.items() if str(key) == str(part)]
    return matches[0] if matches else None
