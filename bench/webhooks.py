"""Webhook deliveries: sustained throughput to local receivers, commit to first attempt,
and what one hanging receiver costs the healthy ones.

    python -m bench.webhooks [--seconds 30] [--rate 250] [--endpoints 10]
                             [--max-in-flight 8] [--port P] [--data-dir D]
                             [--json-out bench/results/webhooks.json]

The benchmark starts WICC (`wicc run --no-demo`, one process: API and worker, embedded
PostgreSQL and Redis in a fresh temporary data dir) with `WICC_WEBHOOK_ALLOW_PRIVATE=true`,
starts `--endpoints` receivers on 127.0.0.1 in its own process (minimal HTTP/1.1, each
answering 204 at once), registers one webhook endpoint per receiver for `beds.updated`,
and then runs two phases of `--seconds` each:

1. **healthy**: `--rate` bed updates a second (`PUT /capacity/v1/units/{unit}/beds`, on
   a fixed schedule over the demo system's units), each fanned out to every endpoint:
   rate x endpoints deliveries a second are offered.
2. **one hanging**: the same, with one more endpoint whose receiver reads each callback
   and never answers (each attempt runs into the 15 s limit).

Each callback is matched to its update by the `as_of` it carries. Reported per phase:

- deliveries a second received by the healthy receivers over the phase (and whether
  every expected one arrived before the drain ended);
- commit -> first attempt: from the moment the PUT was sent (the commit happens inside
  it, so this includes the request) to the first arrival of that event at a receiver,
  per (event, endpoint): p50 / p90 / p99 / max;
- the healthy throughput in phase 2 relative to phase 1 (the hanging receiver's cost).

Targets (issue 12): >= 2,000 deliveries/s sustained, commit -> first attempt p99 <= 250 ms,
healthy throughput dropping by at most 5 % with one receiver hanging. Everything binds to
loopback only; the server is stopped with SIGINT, also on error or Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import json
import re
import shutil
import sys
import tempfile
import time
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import http1
from bench.board_fanout import (
    LOOPBACK,
    STARTUP_TIMEOUT_SECONDS,
    Progress,
    WiccServer,
    as_of_key,
    free_port,
    machine,
    source_version,
    summarise,
)

DEFAULT_JSON_OUT = Path("bench/results/webhooks.json")
TARGET_PER_SECOND = 2_000
TARGET_P99_MS = 250.0
TARGET_DROP_PCT = 5.0
DRAIN_SECONDS = 10.0
CONNECTIONS = 16
UNITS = (
    "RNZ-AMU", "RNZ-MED-A", "RNZ-MED-B", "RNZ-SURG", "RNZ-ORTHO",
    "RN3-AMU", "RN3-MED-1", "RN3-MED-2", "RN3-ELDER", "RN3-SURG",
    "RD1-AMU", "RD1-MED-1", "RD1-MED-2", "RD1-STROKE", "RD1-SURG",
)  # fmt: skip
_AS_OF = re.compile(rb'"as_of":"([^"]+)"')
_LENGTH = re.compile(rb"content-length:\s*(\d+)", re.IGNORECASE)
_NO_CONTENT = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"


class ReceiverProtocol(asyncio.Protocol):
    """One connection of a receiver: frames requests by Content-Length, notes when each
    arrived and the `as_of` it carries, answers 204 at once (or never, when hanging)."""

    def __init__(self, receiver: Receiver) -> None:
        self.receiver = receiver
        self.buffer = b""
        self.transport: asyncio.Transport | None = None

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        assert isinstance(transport, asyncio.Transport)
        self.transport = transport

    def data_received(self, data: bytes) -> None:
        self.buffer += data
        while (end := self.buffer.find(b"\r\n\r\n")) >= 0:
            length = _LENGTH.search(self.buffer, 0, end)
            size = int(length.group(1)) if length else 0
            if len(self.buffer) < end + 4 + size:
                return
            body = self.buffer[end + 4 : end + 4 + size]
            self.buffer = self.buffer[end + 4 + size :]
            self.receiver.arrived(body)
            if not self.receiver.hang and self.transport is not None:
                self.transport.write(_NO_CONTENT)


@dataclass
class Receiver:
    hang: bool = False
    callbacks: int = 0
    # as_of key -> when its event first arrived (a resend is not a first attempt). Kept
    # as callbacks arrive: rescanning every body each time the drain looks (5 times a
    # second) cost the benchmark process more CPU than the server it shares the machine
    # with had to spare.
    first: dict[int, float] = field(default_factory=dict)
    server: asyncio.Server | None = None
    port: int = 0

    def arrived(self, body: bytes) -> None:
        at = time.perf_counter()
        self.callbacks += 1
        match = _AS_OF.search(body)
        if match is not None:
            self.first.setdefault(as_of_key(match.group(1).decode()), at)

    async def start(self) -> Receiver:
        loop = asyncio.get_running_loop()
        self.server = await loop.create_server(lambda: ReceiverProtocol(self), LOOPBACK, 0)
        self.port = self.server.sockets[0].getsockname()[1]
        return self

    def close(self) -> None:
        if self.server is not None:
            self.server.close()

    def first_arrivals(self) -> dict[int, float]:
        return self.first


@dataclass
class Phase:
    name: str
    sent: dict[int, float] = field(default_factory=dict)  # as_of key -> PUT sent at
    statuses: dict[int, int] = field(default_factory=dict)
    started: float = 0.0
    ended: float = 0.0


async def register(port: int, token: str, receiver: Receiver, max_in_flight: int) -> None:
    connection = await http1.Connection.open(LOOPBACK, port)
    try:
        reply = await connection.post_json(
            "/flow/v1/webhooks/endpoints",
            {
                "url": f"http://{LOOPBACK}:{receiver.port}/hooks",
                "event_types": ["beds.updated"],
                "max_in_flight": max_in_flight,
                "description": "benchmark receiver",
            },
            {"Authorization": f"Bearer {token}"},
        )
    finally:
        await connection.close()
    if reply.status != 201:
        raise RuntimeError(f"registering an endpoint failed: {reply.status} {reply.body!r}")


def as_of_moments(start: datetime) -> Iterator[datetime]:
    """Distinct, increasing `as_of` moments in the past (one per update, microseconds
    apart), so every update is new for its unit and names its own event."""
    moment = start
    while True:
        moment += timedelta(microseconds=1_000)
        yield moment


async def load(
    port: int, token: str, phase: Phase, rate: float, seconds: float, moments: Iterator[datetime]
) -> None:
    """`rate` bed updates a second on a fixed schedule, over a few keep-alive connections."""
    idle: asyncio.Queue[http1.Connection] = asyncio.Queue()
    for _ in range(CONNECTIONS):
        idle.put_nowait(await http1.Connection.open(LOOPBACK, port))
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    pending: set[asyncio.Task[None]] = set()

    async def one(index: int, as_of: datetime) -> None:
        connection = await idle.get()
        figures = {"core_open": 30, "escalation_open": 0, "occupied": index % 30, "closed": []}
        body = json.dumps(figures | {"as_of": as_of.isoformat()}).encode()
        phase.sent[as_of_key(as_of.isoformat())] = time.perf_counter()
        path = f"/capacity/v1/units/{UNITS[index % len(UNITS)]}/beds"
        reply = await connection.request("PUT", path, body, headers)
        phase.statuses[reply.status] = phase.statuses.get(reply.status, 0) + 1
        idle.put_nowait(connection)

    phase.started = origin = time.perf_counter()
    for index in range(int(rate * seconds)):
        if (delay := origin + index / rate - time.perf_counter()) > 0:
            await asyncio.sleep(delay)
        task = asyncio.create_task(one(index, next(moments)))
        pending.add(task)
        task.add_done_callback(pending.discard)
    await asyncio.gather(*pending)
    phase.ended = time.perf_counter()
    while not idle.empty():
        await idle.get_nowait().close()


async def drain(phase: Phase, healthy: list[Receiver], progress: Progress) -> None:
    """Wait (bounded) until every healthy receiver has every event of the phase."""
    deadline = time.perf_counter() + DRAIN_SECONDS
    while time.perf_counter() < deadline:
        missing = sum(len(phase.sent.keys() - r.first_arrivals().keys()) for r in healthy)
        progress.show(f"{phase.name}: draining, {missing} deliveries still to arrive")
        if missing == 0:
            return
        await asyncio.sleep(0.2)


def analyse(phase: Phase, healthy: list[Receiver]) -> dict[str, Any]:
    latencies: list[float] = []
    received_in_phase = 0
    last_arrival = phase.started
    for receiver in healthy:
        first = receiver.first_arrivals()
        for key, sent in phase.sent.items():
            if key in first:
                latencies.append((first[key] - sent) * 1000)
                last_arrival = max(last_arrival, first[key])
                received_in_phase += 1
    expected = len(phase.sent) * len(healthy)
    span = max(last_arrival - phase.started, phase.ended - phase.started, 1e-9)
    return {
        "updates": len(phase.sent),
        "put_statuses": phase.statuses,
        "deliveries_expected": expected,
        "deliveries_received": received_in_phase,
        "deliveries_per_second": round(received_in_phase / span, 1),
        "offered_per_second": round(expected / max(phase.ended - phase.started, 1e-9), 1),
        "commit_to_first_attempt_ms": {
            k: None if v is None else round(v, 1) for k, v in summarise(latencies).items()
        },
    }


async def measure(port: int, token: str, args: argparse.Namespace, progress: Progress) -> Any:
    healthy = [await Receiver().start() for _ in range(args.endpoints)]
    hanging = await Receiver(hang=True).start()
    try:
        for receiver in healthy:
            await register(port, token, receiver, args.max_in_flight)
        moments = as_of_moments(datetime.now(UTC) - timedelta(hours=2))
        results: dict[str, Any] = {}
        for name, add_hanging in (("healthy", False), ("one_hanging", True)):
            if add_hanging:
                await register(port, token, hanging, args.max_in_flight)
            phase = Phase(name)
            progress.show(f"{name}: {args.rate}/s updates for {args.seconds} s ...")
            await load(port, token, phase, args.rate, args.seconds, moments)
            await drain(phase, healthy, progress)
            results[name] = analyse(phase, healthy)
            progress.done(f"{name}: {results[name]['deliveries_per_second']} deliveries/s")
        results["one_hanging"]["hanging_receiver_callbacks"] = hanging.callbacks
        return results
    finally:
        for receiver in [*healthy, hanging]:
            receiver.close()


@contextlib.contextmanager
def server(args: argparse.Namespace, progress: Progress) -> Iterator[tuple[WiccServer, str]]:
    temporary = args.data_dir is None
    directory = Path(tempfile.mkdtemp(prefix="wicc-bench-")) if temporary else args.data_dir
    env = {"WICC_WEBHOOK_ALLOW_PRIVATE": "true", "WICC_LOG_LEVEL": "WARNING"}
    running = WiccServer(directory, args.port or free_port(), extra_env=env)
    try:
        running.start()
        yield running, running.wait_ready(STARTUP_TIMEOUT_SECONDS, progress)
    finally:
        progress.done("stopping server (SIGINT) ...")
        running.stop()
        if temporary:
            shutil.rmtree(directory, ignore_errors=True)


def verdict(results: dict[str, Any]) -> dict[str, Any]:
    healthy, hanging = results["healthy"], results["one_hanging"]
    base = healthy["deliveries_per_second"] or 1e-9
    drop = round(100 * (1 - hanging["deliveries_per_second"] / base), 1)
    p99 = healthy["commit_to_first_attempt_ms"]["p99"]
    return {
        "throughput_met": healthy["deliveries_per_second"] >= TARGET_PER_SECOND,
        "p99_met": p99 is not None and p99 <= TARGET_P99_MS,
        "hanging_drop_pct": drop,
        "hanging_drop_met": drop <= TARGET_DROP_PCT,
        "all_delivered": all(
            r["deliveries_received"] == r["deliveries_expected"] for r in (healthy, hanging)
        ),
    }


def parse_args(argv: list[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(prog="python -m bench.webhooks", description=__doc__)
    parser.add_argument("--seconds", type=float, default=30.0, help="length of each phase")
    parser.add_argument("--rate", type=float, default=250.0, help="bed updates per second")
    parser.add_argument("--endpoints", type=int, default=10, help="healthy receivers")
    parser.add_argument("--max-in-flight", type=int, default=8, help="per endpoint")
    parser.add_argument("--port", type=int, default=0)
    parser.add_argument("--data-dir", type=Path, default=None)
    parser.add_argument("--json-out", type=Path, default=DEFAULT_JSON_OUT)
    return parser.parse_args(argv)


def main(argv: list[str] | None = None) -> int:
    args = parse_args(argv)
    progress = Progress()
    with server(args, progress) as (running, token):
        results = asyncio.run(measure(running.port, token, args, progress))
    report = {
        "benchmark": "webhooks",
        "at": datetime.now(UTC).isoformat(),
        "source": source_version(),
        "machine": machine(),
        "config": {k: str(v) if isinstance(v, Path) else v for k, v in vars(args).items()},
        "results": results,
        "verdict": verdict(results),
    }
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(report, indent=2))
    print(json.dumps({"results": results, "verdict": report["verdict"]}, indent=2))
    print(f"written to {args.json_out}", file=sys.stderr)
    return 0


if __name__ == "__main__":
    sys.exit(main())
