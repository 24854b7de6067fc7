"""One attempt's headers and what its answer means (pure)."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, datetime, timedelta

import pytest

from wicc_flow.webhooks.at_rest import DEVELOPMENT_KEY, SecretBox
from wicc_flow.webhooks.deliveries.queue import Claimed
from wicc_flow.webhooks.deliveries.sending import headers_for, judge, signing_keys
from wicc_flow.webhooks.ordering import DeliveryStatus
from wicc_flow.webhooks.schedule import TransportFailure
from wicc_flow.webhooks.signing import new_secret
from wicc_flow.webhooks.transport import Attempt

NOW = datetime(2026, 12, 10, 9, tzinfo=UTC)
BOX = SecretBox([DEVELOPMENT_KEY])


def claimed(
    *, attempt: int = 1, schedule_attempt: int | None = None, rotated: bool = False
) -> Claimed:
    return Claimed(
        delivery_id=uuid.uuid4(),
        endpoint_id=uuid.uuid4(),
        event_id=uuid.uuid4(),
        body='{"type":"beds.updated"}',
        attempt=attempt,
        schedule_attempt=attempt if schedule_attempt is None else schedule_attempt,
        lease_token=uuid.uuid4(),
        url="https://hooks.example/",
        max_in_flight=4,
        secret=BOX.seal(new_secret()),
        previous_secret=BOX.seal(new_secret()) if rotated else None,
        previous_secret_until=NOW + timedelta(hours=1) if rotated else None,
    )


def answered(status: int, retry_after: str | None = None) -> Attempt:
    return Attempt(status, None, "", retry_after, 12.5)


def test_the_webhook_id_is_the_event_id_and_both_secrets_sign_in_the_overlap() -> None:
    delivery = claimed(rotated=True)
    keys = signing_keys(delivery, BOX.open)
    during = headers_for(delivery, keys, now=NOW, sent_at=NOW)
    after = headers_for(delivery, keys, now=NOW + timedelta(hours=2), sent_at=NOW)
    assert during["webhook-id"] == str(delivery.event_id)
    assert len(during["webhook-signature"].split()) == 2
    assert len(after["webhook-signature"].split()) == 1


def test_a_2xx_is_delivered() -> None:
    judged = judge(claimed(), answered(202), NOW)
    assert judged.answer.status is DeliveryStatus.DELIVERED
    assert (judged.answer.outcome, judged.answer.reason) == ("delivered", "http_202")


def test_a_failure_waits_its_turn_in_the_schedule() -> None:
    judged = judge(claimed(), answered(503), NOW, rng=random.Random(1))
    assert judged.answer.status is DeliveryStatus.PENDING
    assert judged.answer.next_attempt_at is not None
    assert timedelta(seconds=5) <= judged.answer.next_attempt_at - NOW <= timedelta(seconds=5.5)


def test_retry_after_delays_the_next_attempt() -> None:
    judged = judge(claimed(), answered(429, "120"), NOW)
    assert judged.answer.next_attempt_at is not None
    assert judged.answer.next_attempt_at - NOW >= timedelta(seconds=120)
    assert judged.outcome.retry_after == timedelta(seconds=120)


@pytest.mark.parametrize("failure", list(TransportFailure))
def test_no_answer_is_a_failure_retried(failure: TransportFailure) -> None:
    judged = judge(claimed(), Attempt(None, failure, "refused", None, 3.0), NOW)
    assert (judged.answer.status, judged.answer.reason) == (DeliveryStatus.PENDING, failure.value)


def test_the_tenth_failure_gives_up_but_a_manual_retry_starts_a_fresh_schedule() -> None:
    assert judge(claimed(attempt=10), answered(500), NOW).answer.status is DeliveryStatus.FAILED
    fresh = judge(claimed(attempt=11, schedule_attempt=1), answered(500), NOW)
    assert fresh.answer.status is DeliveryStatus.PENDING
    assert fresh.answer.number == 11


def test_410_fails_the_delivery_and_asks_to_disable() -> None:
    judged = judge(claimed(), answered(410), NOW)
    assert (judged.answer.status, judged.answer.outcome) == (DeliveryStatus.FAILED, "gone")
