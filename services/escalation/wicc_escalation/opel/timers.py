"""The scheduled job that lets OPEL move without a new input: a pending level that
has held long enough settles, an input past its stale limit leaves the score (which
turns partial), and a declaration that has differed from the calculation for the
configured time raises `opel.diverged`. Each subject keeps the moment it is next due
(`opel_state.due_at`); the job recomputes the subjects due, one transaction each."""

from __future__ import annotations

import logging

from wicc_escalation.opel import repository, service
from wicc_escalation.opel.setup import OpelSetup
from wicc_shared.runtime import Runtime

logger = logging.getLogger(__name__)
BATCH = 500


async def recompute_due_now(runtime: Runtime, setup: OpelSetup) -> int:
    now = runtime.clock()
    async with runtime.transaction() as session:
        due = await repository.due(session, now, BATCH)
    for about, code in due:
        async with runtime.transaction() as session:
            await service.recompute_due(session, setup, about, code, now)
    if due:
        logger.info("OPEL timers: recomputed", extra={"subjects": len(due)})
    return len(due)
