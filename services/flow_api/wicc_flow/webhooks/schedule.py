"""When a webhook delivery is tried again, and what each attempt's result means.

The retry schedule is the Standard Webhooks example schedule: immediately, then 5 s,
5 min, 30 min, 2 h, 5 h, 10 h, 14 h, 20 h and 24 h after each failure (ten attempts
over about three days), after which the delivery is given up. Each wait is stretched by
a random 0 to 10 % (never shortened), so receivers that failed together, for instance
after an outage, are not all retried in the same second.

Only a 2xx response is a success; redirects are failures (never followed: the endpoint's
URL is updated instead); 410 Gone asks WICC to stop, so the endpoint is disabled; 429 and
503 may carry `Retry-After`, which delays the next attempt (up to 24 h). An endpoint
whose deliveries have failed without a single success for 5 days is disabled.
"""

from __future__ import annotations

import random
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from email.utils import parsedate_to_datetime
from enum import StrEnum

# The wait before each attempt: RETRY_DELAYS[n - 1] comes before attempt n.
RETRY_DELAYS: tuple[timedelta, ...] = (
    timedelta(0),
    timedelta(seconds=5),
    timedelta(minutes=5),
    timedelta(minutes=30),
    timedelta(hours=2),
    timedelta(hours=5),
    timedelta(hours=10),
    timedelta(hours=14),
    timedelta(hours=20),
    timedelta(hours=24),
)
MAX_ATTEMPTS = len(RETRY_DELAYS)
JITTER_FRACTION = 0.1
# A receiver cannot park a delivery for longer than the longest scheduled wait.
MAX_RETRY_AFTER = timedelta(hours=24)
RETRY_AFTER_STATUSES = frozenset({429, 503})
DISABLE_AFTER_FAILING_FOR = timedelta(days=5)

_shared_rng = random.Random()


class TransportFailure(StrEnum):
    """Why an attempt got no HTTP response at all."""

    TIMEOUT = "timeout"
    CONNECT = "connect"  # refused, reset or unreachable
    TLS = "tls"  # handshake or certificate check failed
    PROTOCOL = "protocol"  # the answer was not valid HTTP
    UNRESOLVABLE = "unresolvable"  # the host name gave no address
    BLOCKED = "blocked_address"  # the host now resolves to an address WICC may not call


class Verdict(StrEnum):
    DELIVERED = "delivered"
    FAILED = "failed"  # try again on the schedule
    GONE = "gone"  # 410: the receiver asked to stop; disable the endpoint


@dataclass(frozen=True)
class Outcome:
    """What one attempt amounted to. `reason` is short and machine-readable
    (`http_503`, `timeout`, ...) for the delivery log and metrics."""

    verdict: Verdict
    reason: str
    status_code: int | None = None
    retry_after: timedelta | None = None


class Action(StrEnum):
    DONE = "done"
    RETRY = "retry"
    GIVE_UP = "give_up"
    DISABLE_ENDPOINT = "disable_endpoint"


@dataclass(frozen=True)
class NextStep:
    """What the dispatcher does after an attempt; `at` is set only for RETRY."""

    action: Action
    at: datetime | None = None


def classify_response(status_code: int, retry_after: str | None, now: datetime) -> Outcome:
    """The outcome of an attempt that got an HTTP response.

    `retry_after` is the raw `Retry-After` header, honoured only on 429 and 503.
    """
    reason = f"http_{status_code}"
    if 200 <= status_code <= 299:
        return Outcome(Verdict.DELIVERED, reason, status_code)
    if status_code == 410:
        return Outcome(Verdict.GONE, reason, status_code)
    delay = parse_retry_after(retry_after, now) if status_code in RETRY_AFTER_STATUSES else None
    return Outcome(Verdict.FAILED, reason, status_code, delay)


def classify_failure(failure: TransportFailure) -> Outcome:
    """The outcome of an attempt that got no HTTP response: always worth retrying."""
    return Outcome(Verdict.FAILED, failure.value)


def parse_retry_after(value: str | None, now: datetime) -> timedelta | None:
    """A `Retry-After` header (delta-seconds or HTTP-date) as a wait from `now`.

    The wait is clamped to 0..MAX_RETRY_AFTER; anything unreadable is ignored (None).
    """
    if value is None:
        return None
    text = value.strip()
    if text.isascii() and text.isdigit():
        # Compare digit counts before converting: a huge number is just "the maximum".
        seconds = MAX_RETRY_AFTER.total_seconds() if len(text) > 9 else int(text)
        return min(timedelta(seconds=seconds), MAX_RETRY_AFTER)
    when = _http_date(text)
    if when is None:
        return None
    return min(max(when - now, timedelta(0)), MAX_RETRY_AFTER)


def _http_date(text: str) -> datetime | None:
    try:
        when = parsedate_to_datetime(text)
    except (ValueError, TypeError, IndexError, OverflowError):
        return None
    # HTTP dates are always GMT; the obsolete asctime form carries no zone at all.
    return when if when.tzinfo is not None else when.replace(tzinfo=UTC)


def retry_delay(attempt_number: int, *, rng: random.Random | None = None) -> timedelta | None:
    """The jittered wait after failed attempt `attempt_number` (1 = the first attempt),
    or None when it was the last one."""
    if attempt_number < 1:
        raise ValueError("attempts are numbered from 1")
    if attempt_number >= MAX_ATTEMPTS:
        return None
    base = RETRY_DELAYS[attempt_number]
    stretch = 1 + JITTER_FRACTION * (rng or _shared_rng).random()
    return base * stretch


def next_attempt_at(
    attempt_number: int,
    now: datetime,
    retry_after: timedelta | None = None,
    *,
    rng: random.Random | None = None,
) -> datetime | None:
    """When to make the attempt after failed attempt `attempt_number`, or None to give up.

    A receiver's `Retry-After` only ever delays the next attempt: the schedule's own
    wait is kept when it is the longer one.
    """
    delay = retry_delay(attempt_number, rng=rng)
    if delay is None:
        return None
    if retry_after is not None:
        delay = max(delay, min(retry_after, MAX_RETRY_AFTER))
    return now + delay


def next_step(
    outcome: Outcome, attempt_number: int, now: datetime, *, rng: random.Random | None = None
) -> NextStep:
    """What follows attempt `attempt_number`, given its outcome."""
    if outcome.verdict is Verdict.DELIVERED:
        return NextStep(Action.DONE)
    if outcome.verdict is Verdict.GONE:
        return NextStep(Action.DISABLE_ENDPOINT)
    at = next_attempt_at(attempt_number, now, outcome.retry_after, rng=rng)
    return NextStep(Action.GIVE_UP) if at is None else NextStep(Action.RETRY, at)


def failing_since(outcome: Outcome, previous: datetime | None, now: datetime) -> datetime | None:
    """An endpoint's first failure since its last success, after this outcome.

    A success clears it; a failure keeps the earlier start of the run, or starts one.
    """
    if outcome.verdict is Verdict.DELIVERED:
        return None
    return previous if previous is not None else now


def should_disable(
    failing_since: datetime | None,
    now: datetime,
    after: timedelta = DISABLE_AFTER_FAILING_FOR,
) -> bool:
    """Whether an endpoint has been failing, without a success, for `after` or longer."""
    return failing_since is not None and now - failing_since >= after
