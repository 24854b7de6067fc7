"""What the escalation service holds while it runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from wicc_escalation.opel.setup import OpelSetup
from wicc_escalation.settings import EscalationSettings
from wicc_shared.scheduler import ScheduledJob
from wicc_shared.service import state_of


@dataclass(frozen=True)
class EscalationState:
    settings: EscalationSettings
    opel: OpelSetup  # every system's OPEL files, loaded and checked at start
    opel_timers: ScheduledJob  # levels settling, inputs turning stale, divergence
    action_overdue: ScheduledJob  # actions not acknowledged by their due time


async def _escalation_state(request: Request) -> EscalationState:
    return state_of(request, EscalationState)


EscalationStateDep = Annotated[EscalationState, Depends(_escalation_state)]


async def _opel_setup(state: EscalationStateDep) -> OpelSetup:
    return state.opel


OpelSetupDep = Annotated[OpelSetup, Depends(_opel_setup)]
