"""The time source, a dependency so tests can control it."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


def _clock() -> Clock:
    return system_clock


ClockDep = Annotated[Clock, Depends(_clock)]
