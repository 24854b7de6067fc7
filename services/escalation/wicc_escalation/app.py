"""The escalation service: (for now) the OPEL inputs it learns from the event log."""

from __future__ import annotations

import os
import socket

from wicc_escalation.inputs.consumer import HANDLED_TYPES, apply_beds_updated
from wicc_escalation.inputs.router import router as inputs_router
from wicc_escalation.tables import INBOX, OUTBOX
from wicc_shared.events.consumer import ConsumerConfig, StreamConsumer
from wicc_shared.runtime import Runtime
from wicc_shared.service import ServiceSpec

CONSUMER_GROUP = "escalation-inputs"


def inputs_consumer(runtime: Runtime) -> StreamConsumer:
    config = ConsumerConfig(
        # One name per process: replicas and worker processes on one host must not
        # share a consumer (each would acknowledge the other's pending entries).
        group=CONSUMER_GROUP,
        consumer=f"{socket.gethostname()}-{os.getpid()}",
        types=HANDLED_TYPES,
    )
    return StreamConsumer(runtime.stream, runtime.sessions, INBOX, config, apply_beds_updated)


async def _run_inputs_consumer(runtime: Runtime) -> None:
    await inputs_consumer(runtime).run()


def escalation_service() -> ServiceSpec:
    return ServiceSpec(
        name="escalation",
        prefix="/escalation",
        title="WICC escalation",
        description="OPEL inputs per organisation (scoring, declarations and action cards follow).",
        routers=[inputs_router],
        outbox=OUTBOX,
        workers=[_run_inputs_consumer],
    )
