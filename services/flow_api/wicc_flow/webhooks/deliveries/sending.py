"""One attempt, before and after: the signed headers, and what its answer means.

Pure: the caller gives the times. Two clocks are involved on purpose. Which secrets
sign, whether a retry is due and every time WICC stores come from the runtime's clock
(tests move it). `webhook-timestamp` is the wall-clock time of sending: a receiver
compares it with its own clock, within 5 minutes, to refuse a recorded callback replayed
later, so it must be the real time even when the runtime's clock is moved.
"""

from __future__ import annotations

import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

from wicc_flow.webhooks.deliveries.queue import Answer, Claimed
from wicc_flow.webhooks.ordering import DeliveryStatus
from wicc_flow.webhooks.schedule import (
    Action,
    NextStep,
    Outcome,
    classify_failure,
    classify_response,
    next_step,
)
from wicc_flow.webhooks.signing import SigningKeys, WebhookSecret, sign
from wicc_flow.webhooks.transport import Attempt

_STATUS_AFTER = {
    Action.DONE: DeliveryStatus.DELIVERED,
    Action.RETRY: DeliveryStatus.PENDING,
    Action.GIVE_UP: DeliveryStatus.FAILED,
    Action.DISABLE_ENDPOINT: DeliveryStatus.FAILED,
}


def signing_keys(claimed: Claimed, open_secret: Callable[[str], WebhookSecret]) -> SigningKeys:
    """The keys to sign with; `open_secret` decrypts a stored secret (`SecretBox.open`)."""
    previous = open_secret(claimed.previous_secret) if claimed.previous_secret else None
    return SigningKeys(
        current=open_secret(claimed.secret),
        previous=previous,
        previous_until=claimed.previous_secret_until if previous is not None else None,
    )


def headers_for(
    claimed: Claimed, keys: SigningKeys, *, now: datetime, sent_at: datetime
) -> dict[str, str]:
    """The Standard Webhooks headers: `webhook-id` is the event's id on every attempt."""
    body = claimed.body.encode()
    return sign(keys.active(now), str(claimed.event_id), sent_at, body)


@dataclass(frozen=True)
class Judged:
    answer: Answer
    outcome: Outcome
    step: NextStep


def judge(
    claimed: Claimed, attempt: Attempt, now: datetime, *, rng: random.Random | None = None
) -> Judged:
    """The attempt's outcome, what follows it, and the row values recording both."""
    if attempt.status_code is not None:
        outcome = classify_response(attempt.status_code, attempt.retry_after, now)
    else:
        assert attempt.failure is not None  # an Attempt has one or the other
        outcome = classify_failure(attempt.failure)
    step = next_step(outcome, claimed.schedule_attempt, now, rng=rng)
    answer = Answer(
        delivery_id=claimed.delivery_id,
        number=claimed.attempt,
        lease_token=claimed.lease_token,
        finished_at=now,
        outcome=outcome.verdict.value,
        reason=outcome.reason,
        status_code=attempt.status_code,
        latency_ms=round(attempt.latency_ms, 3),
        excerpt=attempt.excerpt,
        status=_STATUS_AFTER[step.action],
        next_attempt_at=step.at,
    )
    return Judged(answer=answer, outcome=outcome, step=step)
