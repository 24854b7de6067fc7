"""What the escalation service holds while it runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Request

from wicc_escalation.settings import EscalationSettings
from wicc_shared.service import state_of


@dataclass(frozen=True)
class EscalationState:
    settings: EscalationSettings


async def _escalation_state(request: Request) -> EscalationState:
    return state_of(request, EscalationState)


EscalationStateDep = Annotated[EscalationState, Depends(_escalation_state)]
