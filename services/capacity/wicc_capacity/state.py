"""What the capacity service holds while it runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from wicc_capacity.settings import CapacitySettings
from wicc_shared.scheduler import ScheduledJob
from wicc_shared.service import state_of


@dataclass(frozen=True)
class CapacityState:
    settings: CapacitySettings
    deadline_check: ScheduledJob  # announces sitreps missing after the deadline
    idempotency_purge: ScheduledJob


async def _capacity_state(request: Request) -> CapacityState:
    return state_of(request, CapacityState)


CapacityStateDep = Annotated[CapacityState, Depends(_capacity_state)]
