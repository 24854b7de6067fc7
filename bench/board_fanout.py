"""Board fan-out: PUT one bed update, time its arrival at N board WebSocket clients.

    python -m bench.board_fanout [--clients 1000] [--updates 50] [--interval 0.2]
                                 [--client-procs 2] [--port P] [--data-dir D]
                                 [--json-out bench/results/board_fanout.json]

The benchmark starts WICC (`wicc run --no-demo`, embedded PostgreSQL and Redis in a
fresh temporary data dir unless `--data-dir` is given), opens N board WebSockets
spread over several client processes, waits until every client has its snapshot,
then sends bed updates one at a time, `--interval` seconds apart. Just before each
PUT it records the wall-clock time; each client records the wall-clock time at
which the matching event frame reached it (matched by the update's `as_of`). All
processes run on one machine, so their clocks agree.

latency = frame received by a client - PUT sent. It covers the HTTP request, the
database commit, the outbox relay, the Redis Stream, the board hub's fan-out and the
client's own receive path.

Everything binds to loopback only. The server is stopped with SIGINT (graceful: the
embedded PostgreSQL and Redis stop with it), also on error or Ctrl+C.
"""

from __future__ import annotations

import argparse
import asyncio
import contextlib
import gc
import json
import math
import multiprocessing
import os
import platform
import re
import resource
import shlex
import shutil
import signal
import socket
import subprocess
import sys
import tempfile
import time
from collections.abc import Callable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from datetime import UTC, datetime
from multiprocessing.connection import Connection
from multiprocessing.synchronize import Event as MpEvent
from pathlib import Path
from typing import Any, Protocol

import httpx

from bench.procfs import connection_owner, process_stats, worker_pids
from bench.ws_client import HandshakeFailed, WebSocketClient

ROOT = Path(__file__).resolve().parent.parent
LOOPBACK = "127.0.0.1"
DEFAULT_JSON_OUT = Path("bench/results/board_fanout.json")
TARGET_P99_MS = 50.0
AIM_P99_MS = 20.0

STARTUP_TIMEOUT_SECONDS = 300.0
SHUTDOWN_TIMEOUT_SECONDS = 90.0
PUT_TIMEOUT_SECONDS = 10.0
CLIENT_RESULTS_TIMEOUT_SECONDS = 120.0
CLOSE_TIMEOUT_SECONDS = 10.0
POLL_SECONDS = 0.05
RETRY_503_SECONDS = 0.2
_BEDS_UPDATED = re.compile(r'"type":\s*"beds\.updated"')
_AS_OF = re.compile(r'"as_of":\s*"([^"]+)"')


# -- shared between the benchmark and its client processes ---------------------------


class Counters(Protocol):
    """A shared array of ints, one slot per client process (each slot has one writer)."""

    def __getitem__(self, index: int, /) -> int: ...
    def __setitem__(self, index: int, value: int, /) -> None: ...
    def __len__(self) -> int: ...


@dataclass(frozen=True)
class ClientJob:
    index: int
    clients: int
    ws_url: str
    token: str
    unit_id: str
    connect_concurrency: int
    connect_timeout: float
    max_seconds: float
    use_uvloop: bool


@dataclass
class ClientResult:
    connect_seconds: float | None = None
    error: str | None = None
    closed_by_server: str | None = None
    events: list[tuple[str, float]] = field(default_factory=list)  # (as_of, received at)


@dataclass
class ProcessReport:
    results: list[ClientResult]
    cpu_seconds_measured: float  # user + system CPU while events were expected


# -- client processes -------------------------------------------------------------------


def client_process(
    job: ClientJob, connected: Counters, received: Counters, stop: MpEvent, pipe: Connection
) -> None:
    """Entry point of one client process: N WebSockets on one event loop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)  # the parent coordinates shutdown
    raise_fd_limit()
    try:
        coro = _run_clients(job, connected, received, stop, pipe)
        if job.use_uvloop:
            import uvloop

            report = uvloop.run(coro)
        else:
            report = asyncio.run(coro)
    except BaseException as exc:
        with contextlib.suppress(OSError):
            pipe.send(("error", f"client process {job.index}: {exc!r}"))
        raise
    else:
        with contextlib.suppress(OSError):  # the parent stops reading when interrupted
            pipe.send(("report", report))
    finally:
        pipe.close()


async def _run_clients(
    job: ClientJob, connected: Counters, received: Counters, stop: MpEvent, pipe: Connection
) -> ProcessReport:
    results = [ClientResult() for _ in range(job.clients)]
    gate = asyncio.Semaphore(job.connect_concurrency)
    headers = {"Authorization": f"Bearer {job.token}"}
    unit_marker = re.compile(rf'"unit_id":\s*"{re.escape(job.unit_id)}"')

    def on_event(result: ClientResult, text: str, at: float) -> None:
        # Only what the measurement needs, without parsing the whole frame: clients
        # share the CPUs with the server, so their cost per frame counts against it.
        if not _BEDS_UPDATED.search(text) or not unit_marker.search(text):
            return
        as_of = _AS_OF.search(text)
        if as_of is not None:
            result.events.append((as_of.group(1), at))
            received[job.index] += 1

    async def open_one(result: ClientResult) -> WebSocketClient | None:
        first: asyncio.Future[str] = asyncio.get_running_loop().create_future()

        def on_message(text: str, at: float) -> None:
            if not first.done():
                first.set_result(text)
            else:
                on_event(result, text, at)

        ws: WebSocketClient | None = None
        try:
            async with gate:  # a handshake's time starts when it may start
                started = time.perf_counter()
                async with asyncio.timeout(job.connect_timeout):
                    ws = await _connect_when_ready(job.ws_url, headers, on_message)
                    kind = json.loads(await first).get("kind")
                    if kind != "snapshot":
                        raise RuntimeError(f"first frame is {kind!r}, no snapshot")
                elapsed = time.perf_counter() - started
        except Exception as exc:
            result.error = f"connect: {exc!r}"
            if ws is not None:
                await ws.close()
            return None
        result.connect_seconds = elapsed
        connected[job.index] += 1
        return ws

    sockets = await asyncio.gather(*(open_one(r) for r in results))
    # The harness must not add pauses of its own to what it measures: with 500 sockets
    # a full collection takes tens of ms, so the cyclic GC is paused while events are
    # expected (reference counting still frees almost everything; the phase is bounded).
    gc.collect()
    gc.freeze()
    gc.disable()
    cpu_before = _cpu_seconds()
    pipe.send(("ready", None))
    try:
        await asyncio.to_thread(stop.wait, job.max_seconds)  # bounded even if the parent dies
    finally:
        gc.enable()
        gc.unfreeze()
    cpu_measured = _cpu_seconds() - cpu_before
    for ws, result in zip(sockets, results, strict=True):
        if ws is not None and ws.closed.done():
            result.closed_by_server = ws.closed.result()
    open_sockets = [ws for ws in sockets if ws is not None and not ws.closed.done()]
    await asyncio.gather(*(ws.close() for ws in open_sockets), return_exceptions=True)
    return ProcessReport(results=results, cpu_seconds_measured=cpu_measured)


async def _connect_when_ready(
    url: str, headers: dict[str, str], on_message: Callable[[str, float], None]
) -> WebSocketClient:
    """Connect as a board would: a 503 means that worker is still restoring its
    picture (each worker of `--workers N` has its own hub), so try again shortly."""
    while True:
        try:
            return await WebSocketClient.connect(url, headers, on_message)
        except HandshakeFailed as exc:
            if " 503 " not in str(exc):
                raise
        await asyncio.sleep(RETRY_503_SECONDS)


def _cpu_seconds() -> float:
    usage = resource.getrusage(resource.RUSAGE_SELF)
    return usage.ru_utime + usage.ru_stime


# -- the server under test --------------------------------------------------------------


class WiccServer:
    """`wicc run --no-demo` as a subprocess, in its own session, stopped with SIGINT."""

    def __init__(self, data_dir: Path, port: int, extra_env: dict[str, str] | None = None) -> None:
        self.data_dir = data_dir
        self.port = port
        self.extra_env = extra_env or {}
        self.workers = int(self.extra_env.get("WICC_WORKERS", "1"))
        self.base_url = f"http://{LOOPBACK}:{port}"
        self.log_path = data_dir / "bench-server.log"
        self.process: subprocess.Popen[bytes] | None = None

    def start(self) -> None:
        self.data_dir.mkdir(parents=True, exist_ok=True)
        env = {
            k: v
            for k, v in os.environ.items()
            if not k.startswith("WICC_") and k not in ("DATABASE_URL", "REDIS_URL")
        }
        env.update(
            WICC_DATA_DIR=str(self.data_dir),
            WICC_PORT=str(self.port),
            WICC_HOST=LOOPBACK,
            WICC_ENV="development",
        )
        env.update(self.extra_env)
        with self.log_path.open("wb") as log:
            self.process = subprocess.Popen(
                [sys.executable, "-m", "wicc.cli", "run", "--no-demo"],
                cwd=ROOT,
                env=env,
                stdin=subprocess.DEVNULL,
                stdout=log,
                stderr=subprocess.STDOUT,
                start_new_session=True,  # a terminal Ctrl+C reaches us, and we stop it
            )

    def wait_ready(self, timeout: float, progress: Progress) -> str:
        """Wait until every worker answers /flow/readyz, then return the admin token.

        With `--workers N` each worker starts on its own, and a worker still starting
        takes no connections: load sent when the first worker is ready lands on it
        alone, and keep-alive connections stay there (one worker busy, one idle)."""
        assert self.process is not None
        deadline = time.monotonic() + timeout
        started = time.monotonic()
        ready: set[int] = set()
        while len(ready) < self.workers:
            if self.process.poll() is not None:
                raise RuntimeError(
                    f"server exited with {self.process.returncode}:\n{self.log_tail()}"
                )
            if time.monotonic() > deadline:
                raise TimeoutError(f"server not ready after {timeout:.0f} s:\n{self.log_tail()}")
            with contextlib.suppress(OSError):
                ready |= self._ready_worker()
            progress.show(
                f"starting server ... {time.monotonic() - started:.0f} s, "
                f"{len(ready)}/{self.workers} ready"
            )
            time.sleep(0.2 if ready else 0.5)
        progress.done(f"server ready in {time.monotonic() - started:.1f} s")
        return (self.data_dir / "admin-token").read_text().strip()

    def _ready_worker(self) -> set[int]:
        """Probe readiness on a fresh connection: the process that said ready."""
        assert self.process is not None
        with socket.create_connection((LOOPBACK, self.port), timeout=2.0) as sock:
            sock.sendall(b"GET /flow/readyz HTTP/1.1\r\nHost: wicc\r\n\r\n")
            if not sock.recv(4096).startswith(b"HTTP/1.1 200"):
                return set()
            if self.workers == 1:
                return {self.process.pid}
            owner = connection_owner(
                self.port, sock.getsockname()[1], worker_pids(self.process.pid)
            )
            return set() if owner is None else {owner}

    def cpu_seconds(self) -> float | None:
        """User + system CPU of the server's Python processes (the process and its worker
        processes, not the embedded PostgreSQL and Redis), None if unknown."""
        if self.process is None:
            return None
        stats = process_stats()
        own = stats.get(self.process.pid)
        if own is None:
            return None
        pids = [self.process.pid]
        pids += [
            pid
            for pid, (ppid, name, _) in stats.items()
            if ppid == self.process.pid and name.startswith("python")
        ]
        return sum(stats[pid][2] for pid in pids)

    def stop(self) -> None:
        process = self.process
        if process is None or process.poll() is not None:
            return
        process.send_signal(signal.SIGINT)
        try:
            process.wait(SHUTDOWN_TIMEOUT_SECONDS)
            return
        except subprocess.TimeoutExpired:
            print("server did not stop on SIGINT; sending SIGTERM", file=sys.stderr)
        process.terminate()
        try:
            process.wait(30)
        except subprocess.TimeoutExpired:
            print("server did not stop on SIGTERM; killing it", file=sys.stderr)
            # The whole group: worker processes must not outlive a benchmark.
            with contextlib.suppress(ProcessLookupError):
                os.killpg(process.pid, signal.SIGKILL)
            process.wait(10)

    def log_tail(self, lines: int = 30) -> str:
        try:
            return "\n".join(self.log_path.read_text(errors="replace").splitlines()[-lines:])
        except OSError:
            return "(no server log)"


# -- progress on stderr -----------------------------------------------------------------


class Progress:
    """A live one-line counter on a terminal; occasional plain lines otherwise."""

    def __init__(self) -> None:
        self.tty = sys.stderr.isatty()
        self._last_plain = 0.0

    def show(self, text: str) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K" + text)
            sys.stderr.flush()
        elif time.monotonic() - self._last_plain >= 5.0:
            self._last_plain = time.monotonic()
            print(text, file=sys.stderr, flush=True)

    def done(self, text: str) -> None:
        if self.tty:
            sys.stderr.write("\r\033[K")
        print(text, file=sys.stderr, flush=True)
        self._last_plain = 0.0


# -- the benchmark ----------------------------------------------------------------------


@dataclass
class Update:
    index: int
    as_of: str
    sent_at: float  # wall clock, just before the PUT
    put_ms: float
    status: int


@dataclass
class Config:
    clients: int
    updates: int
    interval: float
    client_procs: int
    unit: str
    port: int
    connect_concurrency: int
    connect_timeout: float
    drain_timeout: float
    client_loop: str
    workers: int = 1


def percentile(values: Sequence[float], pct: float) -> float | None:
    """Nearest-rank percentile of `values` (None when empty)."""
    if not values:
        return None
    ordered = sorted(values)
    rank = max(1, math.ceil(pct / 100 * len(ordered)))
    return ordered[rank - 1]


def summarise(values: Sequence[float]) -> dict[str, float | None]:
    return {
        "p50": percentile(values, 50),
        "p90": percentile(values, 90),
        "p99": percentile(values, 99),
        "max": max(values) if values else None,
    }


def as_of_key(value: str) -> int:
    """`as_of` as integer microseconds since the epoch: equal however it is written."""
    moment = datetime.fromisoformat(value)
    return round(moment.timestamp() * 1_000_000)


def machine() -> dict[str, Any]:
    model = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                model = line.split(":", 1)[1].strip()
                break
    memory_gib = None
    with contextlib.suppress(OSError, ValueError, IndexError):
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal:"):
                memory_gib = round(int(line.split()[1]) / 1024 / 1024, 1)
    return {
        "nproc": os.cpu_count(),
        "cpu_model": model,
        "memory_gib": memory_gib,
        "python": platform.python_version(),
        "system": f"{platform.system()} {platform.release()} {platform.machine()}",
    }


def machine_busy_seconds() -> float | None:
    """CPU seconds the whole machine spent busy so far, all CPUs (Linux /proc/stat).

    Shows how much else competed for the CPUs: the database, Redis, the kernel's
    loopback networking and anything else running on the machine.
    """
    try:
        fields = [int(v) for v in Path("/proc/stat").read_text().splitlines()[0].split()[1:9]]
    except (OSError, ValueError, IndexError):
        return None
    user, nice, system, _idle, _iowait, irq, softirq, _steal = fields
    return (user + nice + system + irq + softirq) / os.sysconf("SC_CLK_TCK")


def source_version() -> dict[str, Any]:
    """The commit measured, and whether the working tree had local changes."""
    try:
        commit = subprocess.run(
            ["git", "rev-parse", "--short", "HEAD"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout.strip()
        status = subprocess.run(
            ["git", "status", "--porcelain", "--untracked-files=no"],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=10,
            check=True,
        ).stdout
    except (OSError, subprocess.SubprocessError):
        return {"commit": None, "local_changes": None}
    return {"commit": commit, "local_changes": bool(status.strip())}


def raise_fd_limit() -> None:
    """1,000 sockets need more than the common default of 1,024 descriptors."""
    soft, hard = resource.getrlimit(resource.RLIMIT_NOFILE)
    wanted = hard if hard != resource.RLIM_INFINITY else 65_536
    if soft != resource.RLIM_INFINITY and soft < wanted:
        with contextlib.suppress(ValueError, OSError):
            resource.setrlimit(resource.RLIMIT_NOFILE, (wanted, hard))


def free_port() -> int:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.bind((LOOPBACK, 0))
        port: int = sock.getsockname()[1]
        return port


@contextlib.contextmanager
def running_server(
    data_dir: Path | None, port: int, keep_data: bool, progress: Progress, workers: int = 1
) -> Iterator[tuple[WiccServer, str]]:
    temporary = data_dir is None
    directory = Path(tempfile.mkdtemp(prefix="wicc-bench-")) if data_dir is None else data_dir
    server = WiccServer(directory, port, extra_env={"WICC_WORKERS": str(workers)})
    failed = False
    try:
        server.start()
        assert server.process is not None
        progress.done(f"server pid {server.process.pid}, data dir {directory}, port {port}")
        token = server.wait_ready(STARTUP_TIMEOUT_SECONDS, progress)
        yield server, token
    except KeyboardInterrupt:
        raise
    except BaseException:
        failed = True  # keep the data dir (and its server log) to look at
        raise
    finally:
        progress.done("stopping server (SIGINT) ...")
        server.stop()
        if temporary and not keep_data and not failed:
            shutil.rmtree(directory, ignore_errors=True)
        elif temporary:
            print(f"data dir kept: {directory}", file=sys.stderr)


@dataclass
class ClientFleet:
    processes: list[multiprocessing.process.BaseProcess]
    pipes: list[Connection]
    connected: Counters
    received: Counters
    stop: MpEvent


@contextlib.contextmanager
def client_fleet(config: Config, ws_url: str, token: str) -> Iterator[ClientFleet]:
    ctx = multiprocessing.get_context("spawn")
    procs = config.client_procs
    connected: Counters = ctx.RawArray("q", procs)
    received: Counters = ctx.RawArray("q", procs)
    stop = ctx.Event()
    fleet = ClientFleet([], [], connected, received, stop)
    base, extra = divmod(config.clients, procs)
    max_seconds = (
        config.connect_timeout * 4
        + config.updates * max(config.interval, 0.01) * 3
        + config.drain_timeout
        + 120.0
    )
    try:
        for index in range(procs):
            job = ClientJob(
                index=index,
                clients=base + (1 if index < extra else 0),
                ws_url=ws_url,
                token=token,
                unit_id=config.unit,
                connect_concurrency=config.connect_concurrency,
                connect_timeout=config.connect_timeout,
                max_seconds=max_seconds,
                use_uvloop=config.client_loop == "uvloop",
            )
            reader, writer = ctx.Pipe(duplex=False)
            process = ctx.Process(
                target=client_process,
                args=(job, connected, received, stop, writer),
                name=f"board-client-{index}",
                daemon=True,
            )
            process.start()
            writer.close()
            fleet.processes.append(process)
            fleet.pipes.append(reader)
        yield fleet
    finally:
        stop.set()
        for pipe in fleet.pipes:
            pipe.close()  # a child still sending results gets an error, not a full pipe
        for child in fleet.processes:
            child.join(CLOSE_TIMEOUT_SECONDS * 3)
            if child.is_alive():
                child.terminate()
                child.join(5)


def wait_until_connected(fleet: ClientFleet, config: Config, progress: Progress) -> float:
    """Wait for every client process to report "ready"; return the seconds it took."""
    started = time.monotonic()
    deadline = started + config.connect_timeout * 4 + config.clients / 20
    pending = set(range(len(fleet.pipes)))
    while pending:
        for index in list(pending):
            pipe = fleet.pipes[index]
            if pipe.poll():
                kind, payload = pipe.recv()
                if kind != "ready":
                    raise RuntimeError(str(payload))
                pending.discard(index)
            elif not fleet.processes[index].is_alive():
                raise RuntimeError(f"client process {index} died while connecting")
        connected = sum(fleet.connected[i] for i in range(len(fleet.connected)))
        progress.show(f"connecting: {connected}/{config.clients} clients with their snapshot")
        if time.monotonic() > deadline:
            raise TimeoutError(f"clients not connected after {time.monotonic() - started:.0f} s")
        time.sleep(POLL_SECONDS)
    seconds = time.monotonic() - started
    connected = sum(fleet.connected[i] for i in range(len(fleet.connected)))
    progress.done(f"connected: {connected}/{config.clients} clients in {seconds:.1f} s")
    return seconds


def send_updates(
    base_url: str, token: str, fleet: ClientFleet, config: Config, progress: Progress
) -> tuple[list[Update], str]:
    """Send the measured updates; also return the `as_of` of the warm-up update."""
    updates: list[Update] = []
    headers = {"Authorization": f"Bearer {token}"}
    url = f"{base_url}/capacity/v1/units/{config.unit}/beds"
    connected = sum(fleet.connected[i] for i in range(len(fleet.connected)))
    with httpx.Client(timeout=PUT_TIMEOUT_SECONDS) as http:
        # One warm-up PUT (not measured): opens the keep-alive connection and sets the
        # unit's state, so every measured PUT is an ordinary "newer figures" update.
        warm_as_of = datetime.now(UTC)
        warm = http.put(url, headers=headers, json=_body(0, warm_as_of))
        if warm.status_code != 200:
            raise RuntimeError(f"warm-up PUT failed: {warm.status_code} {warm.text[:300]}")
        _wait_for_count(fleet, connected, config.drain_timeout)
        for i in range(len(fleet.received)):
            fleet.received[i] = 0  # the clients are idle now: no write can race this one
        time.sleep(max(config.interval, 0.2))
        start = time.monotonic()
        for index in range(config.updates):
            pause = start + index * config.interval - time.monotonic()
            if pause > 0:
                time.sleep(pause)
            as_of = datetime.now(UTC)
            body = _body(index + 1, as_of)
            sent_at = time.time()
            t0 = time.perf_counter()
            response = http.put(url, headers=headers, json=body)
            put_ms = (time.perf_counter() - t0) * 1000
            updates.append(Update(index, as_of.isoformat(), sent_at, put_ms, response.status_code))
            if response.status_code != 200:
                print(f"\nPUT {index} -> {response.status_code}: {response.text[:300]}")
            delivered = sum(fleet.received[i] for i in range(len(fleet.received)))
            progress.show(
                f"updates: {index + 1}/{config.updates} sent, "
                f"{delivered}/{connected * (index + 1)} frames delivered"
            )
    return updates, warm_as_of.isoformat()


def _body(index: int, as_of: datetime) -> dict[str, Any]:
    return {
        "core_open": 30,
        "escalation_open": 0,
        "occupied": index % 31,
        "closed": [],
        "as_of": as_of.isoformat(),
    }


def _wait_for_count(fleet: ClientFleet, expected: int, timeout: float) -> int:
    deadline = time.monotonic() + timeout
    while True:
        delivered = sum(fleet.received[i] for i in range(len(fleet.received)))
        if delivered >= expected or time.monotonic() > deadline:
            return delivered
        time.sleep(POLL_SECONDS)


def collect_reports(fleet: ClientFleet) -> list[ProcessReport]:
    fleet.stop.set()
    reports: list[ProcessReport] = []
    deadline = time.monotonic() + CLIENT_RESULTS_TIMEOUT_SECONDS
    for index, pipe in enumerate(fleet.pipes):
        remaining = max(0.0, deadline - time.monotonic())
        if not pipe.poll(remaining):
            raise TimeoutError(f"client process {index} sent no results")
        kind, payload = pipe.recv()
        if kind != "report":
            raise RuntimeError(str(payload))
        reports.append(payload)
    return reports


def analyse(
    config: Config,
    updates: list[Update],
    warm_up_as_of: str,
    reports: list[ProcessReport],
    connect_wall_seconds: float,
    cpu: dict[str, float | None],
) -> dict[str, Any]:
    by_key = {as_of_key(u.as_of): u for u in updates if u.status == 200}
    results = [r for report in reports for r in report.results]
    latencies: list[float] = []
    per_update: dict[int, list[float]] = {u.index: [] for u in updates}
    unmatched = 0
    warm_up = as_of_key(warm_up_as_of)
    for result in results:
        for as_of, received_at in result.events:
            key = as_of_key(as_of)
            if key == warm_up:
                continue
            update = by_key.get(key)
            if update is None:
                unmatched += 1
                continue
            ms = (received_at - update.sent_at) * 1000
            latencies.append(ms)
            per_update[update.index].append(ms)
    ok_updates = len(by_key)
    expected = config.clients * ok_updates
    connect_ms = [r.connect_seconds * 1000 for r in results if r.connect_seconds is not None]
    errors = [r.error for r in results if r.error]
    closes = [r.closed_by_server for r in results if r.closed_by_server]
    firsts = [min(v) for v in per_update.values() if v]
    lasts = [max(v) for v in per_update.values() if v]
    client_cpu = sum(r.cpu_seconds_measured for r in reports)
    return {
        "clients": config.clients,
        "clients_connected": len(connect_ms),
        "updates_sent": len(updates),
        "updates_ok": ok_updates,
        "expected": expected,
        "delivered": len(latencies),
        "delivered_ratio": len(latencies) / expected if expected else None,
        "unmatched_frames": unmatched,
        "latency_ms": summarise(latencies),
        "first_client_ms": summarise(firsts),
        "last_client_ms": summarise(lasts),
        "put_ms": summarise([u.put_ms for u in updates]),
        "connect": {
            "all_connected_seconds": connect_wall_seconds,
            "per_connection_ms": summarise(connect_ms),
        },
        "cpu_seconds": {**cpu, "client_processes": client_cpu},
        "connect_errors": errors[:10],
        "connect_error_count": len(errors),
        "closed_by_server": closes[:10],
        "closed_by_server_count": len(closes),
        "per_update": [
            {
                "index": u.index,
                "sent_at": u.sent_at,
                "status": u.status,
                "put_ms": round(u.put_ms, 3),
                "delivered": len(per_update[u.index]),
                **{k: _round(v) for k, v in summarise(per_update[u.index]).items()},
                "min": _round(min(per_update[u.index])) if per_update[u.index] else None,
            }
            for u in updates
        ],
    }


def _round(value: float | None) -> float | None:
    return None if value is None else round(value, 3)


def _ms(value: float | None) -> str:
    return "-" if value is None else f"{value:.1f}"


def render(config: Config, results: dict[str, Any]) -> str:
    lat, put = results["latency_ms"], results["put_ms"]
    first, last = results["first_client_ms"], results["last_client_ms"]
    conn = results["connect"]
    cpu = results["cpu_seconds"]
    ratio = results["delivered_ratio"]
    p99 = lat["p99"]
    verdict = (
        "no samples"
        if p99 is None
        else (
            f"{'MET' if p99 <= TARGET_P99_MS else 'MISSED'} (p99 {p99:.1f} ms vs "
            f"<= {TARGET_P99_MS:.0f} ms; aim {AIM_P99_MS:.0f} ms)"
        )
    )
    server_cpu = cpu["server_process"]
    lines = [
        f"board fan-out: {config.clients} clients x {config.updates} updates, "
        f"interval {config.interval} s, {config.client_procs} client processes "
        f"({config.client_loop})",
        f"  connected     {results['clients_connected']}/{config.clients} in "
        f"{conn['all_connected_seconds']:.1f} s (per connection p50 "
        f"{_ms(conn['per_connection_ms']['p50'])} ms, p99 "
        f"{_ms(conn['per_connection_ms']['p99'])} ms)",
        f"  delivered     {results['delivered']}/{results['expected']}"
        + (f" ({ratio * 100:.2f}%)" if ratio is not None else ""),
        f"  latency ms    p50 {_ms(lat['p50'])}  p90 {_ms(lat['p90'])}  "
        f"p99 {_ms(lat['p99'])}  max {_ms(lat['max'])}",
        f"  first client  p50 {_ms(first['p50'])} ms, p99 {_ms(first['p99'])} ms "
        "(per update: the earliest client)",
        f"  last client   p50 {_ms(last['p50'])} ms, p99 {_ms(last['p99'])} ms "
        "(per update: the latest client)",
        f"  PUT ms        p50 {_ms(put['p50'])}  p99 {_ms(put['p99'])}  max {_ms(put['max'])}",
        f"  CPU s         server process {_ms(server_cpu)}, client processes "
        f"{_ms(cpu['client_processes'])}, whole machine {_ms(cpu['machine_busy'])} "
        f"of {_ms(cpu['machine_capacity'])} available "
        f"({cpu['measured_wall_seconds']:.1f} s x {os.cpu_count()} CPUs)",
        f"  target        {verdict}",
    ]
    if results["connect_error_count"]:
        lines.append(
            f"  connect errors {results['connect_error_count']}: {results['connect_errors'][:3]}"
        )
    if results["closed_by_server_count"]:
        lines.append(
            f"  closed by server {results['closed_by_server_count']}: "
            f"{results['closed_by_server'][:3]}"
        )
    if results["unmatched_frames"]:
        lines.append(f"  unmatched frames {results['unmatched_frames']}")
    return "\n".join(lines)


def run(config: Config, data_dir: Path | None, keep_data: bool) -> dict[str, Any]:
    progress = Progress()
    with running_server(data_dir, config.port, keep_data, progress, config.workers) as (
        server,
        token,
    ):
        ws_url = f"ws://{LOOPBACK}:{config.port}/flow/v1/board/ws"
        with client_fleet(config, ws_url, token) as fleet:
            connect_seconds = wait_until_connected(fleet, config, progress)
            cpu_before, busy_before = server.cpu_seconds(), machine_busy_seconds()
            measured_from = time.monotonic()
            updates, warm_up_as_of = send_updates(server.base_url, token, fleet, config, progress)
            connected = sum(fleet.connected[i] for i in range(len(fleet.connected)))
            expected = connected * sum(1 for u in updates if u.status == 200)
            delivered = _wait_for_count(fleet, expected, config.drain_timeout)
            measured_seconds = time.monotonic() - measured_from
            cpu_after, busy_after = server.cpu_seconds(), machine_busy_seconds()
            progress.done(
                f"updates: {len(updates)}/{config.updates} sent, "
                f"{delivered}/{expected} frames delivered"
            )
            reports = collect_reports(fleet)
        cpu: dict[str, float | None] = {
            "measured_wall_seconds": measured_seconds,
            "server_process": _delta(cpu_before, cpu_after),
            "machine_busy": _delta(busy_before, busy_after),
            "machine_capacity": measured_seconds * (os.cpu_count() or 1),
        }
        return analyse(config, updates, warm_up_as_of, reports, connect_seconds, cpu)


def _delta(before: float | None, after: float | None) -> float | None:
    return None if before is None or after is None else after - before


def parse_args(argv: Sequence[str] | None) -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        prog="python -m bench.board_fanout",
        description="PUT a bed update -> received by N concurrent board WebSocket clients.",
    )
    parser.add_argument("--clients", type=int, default=1000, help="board WebSockets (1000)")
    parser.add_argument("--updates", type=int, default=50, help="bed updates to send (50)")
    parser.add_argument(
        "--interval", type=float, default=0.2, help="seconds between update starts (0.2)"
    )
    parser.add_argument(
        "--client-procs", type=int, default=2, help="processes the clients are split over (2)"
    )
    parser.add_argument("--port", type=int, default=0, help="server port (default: a free one)")
    parser.add_argument(
        "--data-dir",
        type=Path,
        default=None,
        help="server data dir (default: a fresh temporary one, removed afterwards)",
    )
    parser.add_argument("--keep-data", action="store_true", help="keep the temporary data dir")
    parser.add_argument("--unit", default="RNZ-AMU", help="unit whose beds are updated")
    parser.add_argument(
        "--connect-concurrency", type=int, default=50, help="handshakes in flight per process"
    )
    parser.add_argument("--connect-timeout", type=float, default=30.0, help="per connection (s)")
    parser.add_argument(
        "--drain-timeout", type=float, default=15.0, help="wait for late frames after the last PUT"
    )
    parser.add_argument(
        "--client-loop",
        choices=("uvloop", "asyncio"),
        default="uvloop",
        help="event loop of the client processes (uvloop)",
    )
    parser.add_argument(
        "--workers",
        type=int,
        default=1,
        help="server worker processes (WICC_WORKERS); boards are spread over them (1)",
    )
    parser.add_argument("--label", default="", help="free text stored with the results")
    parser.add_argument(
        "--json-out", type=Path, default=DEFAULT_JSON_OUT, help=f"({DEFAULT_JSON_OUT})"
    )
    args = parser.parse_args(argv)
    for name in ("clients", "updates", "client_procs", "connect_concurrency"):
        if getattr(args, name) < 1:
            parser.error(f"--{name.replace('_', '-')} must be at least 1")
    args.client_procs = min(args.client_procs, args.clients)
    if args.interval < 0 or args.connect_timeout <= 0 or args.drain_timeout <= 0:
        parser.error("--interval must be >= 0, timeouts > 0")
    return args


def _interrupt(signum: int, _frame: object) -> None:
    raise KeyboardInterrupt(signal.Signals(signum).name)


def main(argv: Sequence[str] | None = None) -> int:
    args = parse_args(argv)
    raise_fd_limit()
    # Stopping the benchmark any usual way still stops the server it started.
    for signum in (signal.SIGINT, signal.SIGTERM, signal.SIGHUP):
        signal.signal(signum, _interrupt)
    config = Config(
        clients=args.clients,
        updates=args.updates,
        interval=args.interval,
        client_procs=args.client_procs,
        unit=args.unit,
        port=args.port or free_port(),
        connect_concurrency=args.connect_concurrency,
        connect_timeout=args.connect_timeout,
        drain_timeout=args.drain_timeout,
        client_loop=args.client_loop,
        workers=args.workers,
    )
    started_at = datetime.now(UTC)
    command = shlex.join(
        ["python", "-m", "bench.board_fanout", *(sys.argv[1:] if argv is None else argv)]
    )
    source = source_version()
    try:
        results = run(config, args.data_dir, args.keep_data)
    except KeyboardInterrupt:
        print("interrupted", file=sys.stderr)
        return 130
    print(render(config, results))
    document = {
        "benchmark": "board_fanout",
        "command": command,
        "label": args.label,
        "started_at": started_at.isoformat(),
        "machine": machine(),
        "source": source,
        "config": asdict(config),
        "results": results,
    }
    args.json_out.parent.mkdir(parents=True, exist_ok=True)
    args.json_out.write_text(json.dumps(document, indent=2) + "\n")
    print(f"results written to {args.json_out}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
