"""The image: deploy/Dockerfile parsed into instructions, and the distributions its
`uv sync` installs, read from uv.lock."""

from __future__ import annotations

import json
import re
import shlex
import tomllib
from dataclasses import dataclass
from typing import Any

from tests.deploy.manifests import DOCKERFILE, REPO


@dataclass(frozen=True)
class Instruction:
    keyword: str
    arguments: str


def dockerfile_instructions() -> list[Instruction]:
    instructions: list[Instruction] = []
    pending = ""
    for raw in DOCKERFILE.read_text(encoding="utf-8").splitlines():
        line = raw.strip()
        if not pending and (not line or line.startswith("#")):
            continue
        if pending and line.startswith("#"):
            continue
        if line.endswith("\\"):
            pending += line[:-1] + " "
            continue
        logical = (pending + line).strip()
        pending = ""
        if logical:
            keyword, _, arguments = logical.partition(" ")
            instructions.append(Instruction(keyword.upper(), arguments.strip()))
    assert not pending, "Dockerfile ends with a line continuation"
    return instructions


def stages(instructions: list[Instruction]) -> list[list[Instruction]]:
    starts = [index for index, item in enumerate(instructions) if item.keyword == "FROM"]
    assert starts, "Dockerfile has no FROM"
    return [instructions[start:end] for start, end in zip(starts, [*starts[1:], None], strict=True)]


def final_stage(instructions: list[Instruction]) -> list[Instruction]:
    return stages(instructions)[-1]


def stage_named(name: str) -> list[Instruction]:
    for stage in stages(dockerfile_instructions()):
        if re.search(rf"\bAS\s+{re.escape(name)}$", stage[0].arguments, re.IGNORECASE):
            return stage
    raise AssertionError(f"the Dockerfile has no stage named {name}")


def global_arg_defaults(instructions: list[Instruction]) -> dict[str, str]:
    defaults: dict[str, str] = {}
    for item in instructions:
        if item.keyword == "FROM":
            break
        if item.keyword == "ARG" and "=" in item.arguments:
            name, _, value = item.arguments.partition("=")
            defaults[name.strip()] = value.strip().strip("\"'")
    return defaults


def expand_args(text: str, defaults: dict[str, str]) -> str:
    return re.sub(r"\$\{?(\w+)\}?", lambda match: defaults.get(match[1], match[0]), text)


def copy_sources(stage: list[Instruction]) -> list[str]:
    """Sources of the stage's COPY instructions from the build context (not --from)."""
    sources: list[str] = []
    for item in stage:
        if item.keyword != "COPY":
            continue
        parts = shlex.split(item.arguments)
        if any(part.startswith("--from") for part in parts):
            continue
        sources += [part for part in parts if not part.startswith("--")][:-1]
    return sources


def image_cmd() -> list[str]:
    """The arguments the image hands its entrypoint when the container sets none."""
    cmds = [
        item.arguments for item in final_stage(dockerfile_instructions()) if item.keyword == "CMD"
    ]
    assert cmds, "the runtime stage has no CMD"
    return command_list(cmds[-1])


def command_list(arguments: str) -> list[str]:
    value = json.loads(arguments)
    assert isinstance(value, list), "exec form expected"
    return [str(token) for token in value]


# ---------------------------------------------------------------------------------------
# what `uv sync --no-default-groups --all-packages` installs, from uv.lock
# ---------------------------------------------------------------------------------------


def normalise(name: str) -> str:
    """A distribution name as packaging compares them (PEP 503)."""
    return re.sub(r"[-_.]+", "-", name).lower()


def installed_by_the_image() -> frozenset[str]:
    """Every distribution the image's `uv sync` installs: the workspace packages and
    their runtime dependencies (with the extras they ask for), none of the dependency
    groups (dev tools, the embedded servers). Platform markers are ignored, so this is
    a superset on any one platform; it cannot hide a missing runtime dependency."""
    lock = tomllib.loads((REPO / "uv.lock").read_text(encoding="utf-8"))
    packages: dict[str, list[dict[str, Any]]] = {}
    for package in lock["package"]:
        packages.setdefault(package["name"], []).append(package)
    workspace = [
        package["name"]
        for package in lock["package"]
        if {"editable", "virtual"} & set(package.get("source", {}))
    ]
    assert workspace, "uv.lock lists no workspace package"
    found: set[str] = set()
    visited: set[tuple[str, tuple[str, ...]]] = set()
    todo: list[tuple[str, tuple[str, ...]]] = [(name, ()) for name in workspace]
    while todo:
        name, extras = todo.pop()
        if (name, extras) in visited:
            continue
        visited.add((name, extras))
        found.add(normalise(name))
        for package in packages[name]:
            requirements = list(package.get("dependencies", []))
            for extra in extras:
                requirements += package.get("optional-dependencies", {}).get(extra, [])
            todo += [(req["name"], tuple(req.get("extra", []))) for req in requirements]
    return frozenset(found)
