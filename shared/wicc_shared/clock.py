"""The time source. It lives on the runtime so tests can move it, and background
workers (deadlines) read the same clock as requests."""

from __future__ import annotations

from collections.abc import Callable
from datetime import UTC, datetime
from typing import Annotated

from fastapi import Depends, Request

Clock = Callable[[], datetime]


def system_clock() -> datetime:
    return datetime.now(UTC)


async def _clock(request: Request) -> Clock:
    clock: Clock = request.app.state.runtime.clock
    return clock


ClockDep = Annotated[Clock, Depends(_clock)]
