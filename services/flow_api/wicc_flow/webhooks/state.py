"""What the webhook code of one process holds while it runs."""

from __future__ import annotations

import logging
from dataclasses import dataclass
from datetime import timedelta

from wicc_flow.settings import FlowSettings
from wicc_flow.webhooks.config import WebhookConfig
from wicc_flow.webhooks.deliveries import repository
from wicc_flow.webhooks.deliveries.dispatcher import Dispatcher, DispatchLimits
from wicc_flow.webhooks.deliveries.fanout import fanout_consumer
from wicc_flow.webhooks.deliveries.leader import run_as_leader
from wicc_shared.runtime import Runtime
from wicc_shared.scheduler import ScheduledJob

logger = logging.getLogger(__name__)
PURGE_INTERVAL_SECONDS = 3600.0


@dataclass(frozen=True)
class Webhooks:
    config: WebhookConfig
    # Built in every process, run only in workers; in a process that plays both roles
    # the API's retries and replays wake it directly.
    dispatcher: Dispatcher
    purge: ScheduledJob


def build_webhooks(runtime: Runtime, settings: FlowSettings) -> Webhooks:
    config = WebhookConfig.from_settings(settings)
    limits = DispatchLimits(
        poll_seconds=settings.webhook_poll_seconds,
        lease=timedelta(seconds=settings.webhook_lease_seconds),
        max_in_flight=settings.webhook_max_in_flight,
    )
    retention = timedelta(days=settings.webhook_retention_days)

    async def purge(run_on: Runtime) -> int:
        async with run_on.transaction() as session:
            return await repository.purge_finished(session, run_on.clock() - retention)

    return Webhooks(
        config=config,
        dispatcher=Dispatcher(runtime, config, limits),
        purge=ScheduledJob("webhook-purge", PURGE_INTERVAL_SECONDS, purge),
    )


async def run_fanout(runtime: Runtime, webhooks: Webhooks) -> None:
    consumer = fanout_consumer(runtime, webhooks.dispatcher.wake)
    await run_as_leader(runtime.engine, consumer.run)


async def run_dispatcher(webhooks: Webhooks) -> None:
    await webhooks.dispatcher.run()
