"""What the flow service holds while it runs."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends
from starlette.requests import HTTPConnection

from wicc_flow.board.hub import BoardHub
from wicc_flow.patients.config import PatientFlow
from wicc_flow.settings import FlowSettings
from wicc_flow.webhooks.state import Webhooks
from wicc_shared.scheduler import ScheduledJob
from wicc_shared.service import state_of


@dataclass(frozen=True)
class FlowState:
    settings: FlowSettings
    hub: BoardHub  # one per API process, fed from the event log
    patients: PatientFlow  # delay reasons, NHS-number cipher, skew, care freshness
    discharge_sitrep_day: ScheduledJob  # recounts each trust's sitrep when its day changes
    summary_schedule: ScheduledJob  # builds each system's daily summary at its time
    webhooks: Webhooks  # the endpoints' settings; the dispatcher runs in workers


def flow_state(conn: HTTPConnection) -> FlowState:
    return state_of(conn, FlowState)


async def _flow_state(conn: HTTPConnection) -> FlowState:
    return flow_state(conn)


FlowStateDep = Annotated[FlowState, Depends(_flow_state)]
