"""Prometheus metrics shared by every service in a process."""

from __future__ import annotations

from prometheus_client import Counter, Gauge, Histogram

HTTP_REQUESTS = Histogram(
    "wicc_http_request_duration_seconds",
    "HTTP request latency",
    ["service", "method", "route", "status"],
    buckets=(0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1.0, 2.5, 5.0),
)
# Requests refused with 401 or 403, by route template (also logged: wicc.security).
REFUSALS = Counter(
    "wicc_refusals_total", "Requests refused (401, 403)", ["service", "status", "route"]
)
EVENTS_PUBLISHED = Counter("wicc_events_published_total", "Outbox rows published", ["schema"])
OUTBOX_ERRORS = Counter("wicc_outbox_publish_errors_total", "Failed relay attempts", ["schema"])
EVENTS_CONSUMED = Counter(
    "wicc_events_consumed_total", "Events handled by consumer groups", ["group", "outcome"]
)
BOARD_CLIENTS = Gauge("wicc_board_clients", "Connected board WebSocket clients")
BOARD_DROPPED = Counter("wicc_board_clients_dropped_total", "Board clients dropped", ["reason"])
BOARD_SEQ = Gauge("wicc_board_seq", "Last event sequence applied by the board hub")
# By the way a connection's frames leave (`frame_sink`: straight to the socket;
# `asgi_queue`: plain ASGI sends). Connections moving to `asgi_queue` under uvicorn
# mean the frame sink is no longer offered (e.g. after a uvicorn upgrade).
BOARD_CONNECTIONS = Counter(
    "wicc_board_connections_total", "Board WebSocket connections served", ["path"]
)
BOARD_CONNECTIONS_OPEN = Gauge(
    "wicc_board_connections_open", "Board WebSocket connections open now", ["path"]
)
