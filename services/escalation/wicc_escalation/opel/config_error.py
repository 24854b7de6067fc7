"""The one error a broken OPEL configuration file raises, naming the file and the key.

Validators inside the models raise `InvalidAt` with the key path *relative to the
model they check*; the loader joins it to the model's own position in the file, so
the message points at the exact key (`parameters[2].bands[1].upper`), not just at the
parameter that contains it.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

PathPart = str | int


class InvalidAt(ValueError):
    """A value error at `path` below the model whose validator raised it."""

    def __init__(self, path: Sequence[PathPart], message: str) -> None:
        super().__init__(message)
        self.path = tuple(path)
        self.message = message


@dataclass(frozen=True)
class ConfigProblem:
    key: str  # e.g. `parameters[2].bands[1].upper`; "" for the file as a whole
    message: str


class ConfigError(Exception):
    """A configuration file that cannot be used. `file`, `key` and `message` describe
    the first problem; `problems` holds every problem found."""

    def __init__(self, file: str, problems: Sequence[ConfigProblem]) -> None:
        if not problems:
            raise ValueError("a ConfigError needs at least one problem")
        self.file = file
        self.problems = tuple(problems)
        super().__init__("\n".join(_line(file, p) for p in self.problems))

    @property
    def key(self) -> str:
        return self.problems[0].key

    @property
    def message(self) -> str:
        return self.problems[0].message


def _line(file: str, problem: ConfigProblem) -> str:
    return (
        f"{file}: {problem.key}: {problem.message}" if problem.key else f"{file}: {problem.message}"
    )
