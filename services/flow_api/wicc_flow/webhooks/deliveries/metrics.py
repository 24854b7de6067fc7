"""Prometheus metrics of webhook deliveries, per endpoint (its id).

They are the worker's (the process that delivers): read them at the worker's
`/metrics`, or at any service's in a single process.

- success rate: `rate(wicc_webhook_attempts_total{outcome="delivered"}[5m])` over
  `rate(wicc_webhook_attempts_total[5m])`, per `endpoint`;
- lag: `wicc_webhook_lag_seconds`, the age of the oldest delivery still waiting;
- queue depth: `wicc_webhook_queue_depth`, deliveries waiting or in flight.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from datetime import datetime

from prometheus_client import Counter, Gauge, Histogram

ATTEMPTS = Counter(
    "wicc_webhook_attempts_total",
    "Webhook delivery attempts, by endpoint and outcome (delivered, failed, gone)",
    ["endpoint", "outcome"],
)
ATTEMPT_SECONDS = Histogram(
    "wicc_webhook_attempt_seconds",
    "Duration of webhook delivery attempts (request to answer)",
    ["endpoint"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0, 15.0),
)
QUEUE_DEPTH = Gauge(
    "wicc_webhook_queue_depth", "Webhook deliveries waiting or in flight", ["endpoint"]
)
LAG = Gauge(
    "wicc_webhook_lag_seconds",
    "Age of the oldest webhook delivery still waiting (0 when none)",
    ["endpoint"],
)
DISABLED = Counter(
    "wicc_webhook_endpoints_disabled_total",
    "Webhook endpoints disabled by the dispatcher (410 Gone, 5 days failing)",
    ["reason"],
)

_known: set[str] = set()


def attempt(endpoint_id: uuid.UUID, outcome: str, latency_ms: float) -> None:
    label = str(endpoint_id)
    ATTEMPTS.labels(endpoint=label, outcome=outcome).inc()
    ATTEMPT_SECONDS.labels(endpoint=label).observe(latency_ms / 1000)


def queues(waiting: Iterable[tuple[uuid.UUID, int, datetime]], now: datetime) -> None:
    """Set the gauges from the waiting deliveries; endpoints no longer waiting read 0."""
    seen: set[str] = set()
    for endpoint_id, depth, oldest in waiting:
        label = str(endpoint_id)
        seen.add(label)
        QUEUE_DEPTH.labels(endpoint=label).set(depth)
        LAG.labels(endpoint=label).set(max((now - oldest).total_seconds(), 0.0))
    for label in _known - seen:
        QUEUE_DEPTH.labels(endpoint=label).set(0)
        LAG.labels(endpoint=label).set(0)
    _known.update(seen)
