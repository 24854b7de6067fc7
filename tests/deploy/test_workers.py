"""`wicc run` with WICC_WORKERS=2: two API processes and one worker process. Boards
get every event exactly once, scheduled jobs run once (in the worker), a dead API
process is replaced, and Ctrl+C stops everything.

Which process holds a connection is never asserted: the kernel decides that, and on a
busy machine it can give every connection to one process.

Runs the real command as a subprocess against the suite's PostgreSQL and Redis.
Which worker holds a connection is read from /proc (Linux), the way `ss -p` does
(the same helpers the benchmarks use).
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from itertools import pairwise
from pathlib import Path

import asyncpg
import httpx
import pytest
from websockets.asyncio.client import ClientConnection, connect

from bench.procfs import child_pids, connection_owner, worker_pids
from tests.support import ADMIN_TOKEN, bed_figures, next_event, next_frame, plain_url
from wicc_shared.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 60.0
STOP_TIMEOUT_SECONDS = 60.0
BOARDS = 8
# Units outside adult G&A: their reports are no OPEL input, so each brings one board frame.
UNITS = ("RNZ-ICU", "RNZ-PAED", "RN3-ICU", "RD1-ICU")
JOB_INTERVAL_SECONDS = 0.5

pytestmark = pytest.mark.skipif(sys.platform != "linux", reason="reads /proc")


class WiccRun:
    def __init__(self, process: subprocess.Popen[bytes], port: int) -> None:
        self.process = process
        self.base_url = f"http://127.0.0.1:{port}"
        self.port = port

    def workers(self) -> set[int]:
        """The API processes (uvicorn's workers)."""
        return worker_pids(self.process.pid)

    def background_worker(self) -> int | None:
        """The `wicc worker` process `wicc run` started, if it is running."""
        for pid in child_pids(self.process.pid):
            with contextlib.suppress(OSError):
                if b"worker" in Path(f"/proc/{pid}/cmdline").read_bytes().split(b"\0"):
                    return pid
        return None

    def owner(self, client_port: int) -> int:
        """The worker holding the server side of the connection from `client_port`."""
        owner = connection_owner(self.port, client_port, self.workers())
        assert owner is not None, f"no worker holds the connection from port {client_port}"
        return owner


@pytest.fixture
def wicc_run(fresh_db: str, redis_url: str, tmp_path: Path) -> Iterator[WiccRun]:
    port = free_port()
    env = {k: v for k, v in os.environ.items() if not k.startswith(("WICC_", "TEST_"))}
    env.update(
        DATABASE_URL=plain_url(fresh_db),
        REDIS_URL=redis_url,
        WICC_ADMIN_TOKEN=ADMIN_TOKEN,
        WICC_WORKERS="2",
        WICC_PORT=str(port),
        WICC_DATA_DIR=str(tmp_path),
        WICC_EVENT_STREAM=f"wicc:test:{uuid.uuid4().hex[:12]}",
        WICC_LOG_LEVEL="WARNING",
        WICC_WORKER_PORT=str(free_port()),
        WICC_SITREP_CHECK_SECONDS=str(JOB_INTERVAL_SECONDS),
    )
    log = (tmp_path / "wicc.log").open("wb")
    process = subprocess.Popen(
        [sys.executable, "-m", "wicc.cli", "run", "--no-demo"],
        cwd=ROOT,
        env=env,
        stdout=log,
        stderr=subprocess.STDOUT,
        start_new_session=True,  # its own process group: nothing outlives the test
    )
    try:
        yield WiccRun(process, port)
    finally:
        _stop(process)
        log.close()


def _stop(process: subprocess.Popen[bytes]) -> None:
    """As Ctrl+C would; then, if anything is left, the whole process group."""
    if process.poll() is None:
        process.send_signal(signal.SIGINT)
        with contextlib.suppress(subprocess.TimeoutExpired):
            process.wait(STOP_TIMEOUT_SECONDS)
    with contextlib.suppress(ProcessLookupError):
        os.killpg(process.pid, signal.SIGKILL)
    process.wait()


async def _ready_on_every_worker(run: WiccRun) -> None:
    """Ready when each worker has answered a readiness probe with 200 (a worker that
    is still starting accepts no connections, so the probes all reach the other)."""
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    ready: set[int] = set()
    while time.monotonic() < deadline:
        assert run.process.poll() is None, "wicc run exited"
        workers = run.workers()
        ready &= workers  # a replaced worker has to answer afresh
        if len(workers) == 2 and ready == workers:
            return
        with contextlib.suppress(OSError, AssertionError):
            ready |= await asyncio.to_thread(_ready_worker, run)
        await asyncio.sleep(0.2)
    raise AssertionError("the workers never became ready")


def _ready_worker(run: WiccRun) -> set[int]:
    """Probe readiness on a fresh connection; the worker that said ready, if any."""
    with socket.create_connection(("127.0.0.1", run.port), timeout=5) as sock:
        sock.sendall(b"GET /flow/readyz HTTP/1.1\r\nHost: wicc\r\n\r\n")
        ready = sock.recv(4096).startswith(b"HTTP/1.1 200")
        return {run.owner(sock.getsockname()[1])} if ready else set()


@pytest.fixture
async def running(wicc_run: WiccRun) -> WiccRun:
    await _ready_on_every_worker(wicc_run)
    return wicc_run


async def test_every_event_reaches_every_board_exactly_once(running: WiccRun) -> None:
    ws_url = running.base_url.replace("http://", "ws://") + "/flow/v1/board/ws"
    headers = {"Authorization": f"Bearer {ADMIN_TOKEN}"}
    boards = [await connect(ws_url, additional_headers=headers) for _ in range(BOARDS)]
    try:
        for board in boards:
            assert (await next_frame(board))["kind"] == "snapshot"
        async with httpx.AsyncClient(base_url=running.base_url, headers=headers) as client:
            for occupied, unit in enumerate(UNITS, start=10):
                response = await client.put(
                    f"/capacity/v1/units/{unit}/beds", json=bed_figures(occupied=occupied)
                )
                assert response.status_code == 200, response.text
        for board in boards:
            ids = await _event_ids_until_beds_of_every_unit(board)
            # Nothing twice (from a second relay or hub); the worker's own jobs may
            # publish other events meanwhile (sitrep.missed), each once.
            ids += await _event_ids_for(board, seconds=1.0)
            assert len(ids) == len(set(ids))
    finally:
        for board in boards:
            await board.close()


async def _event_ids_until_beds_of_every_unit(board: ClientConnection) -> list[str]:
    """Every event id up to the `beds.updated` of each of UNITS."""
    ids: list[str] = []
    waiting = set(UNITS)
    while waiting:
        event = (await next_event(board))["event"]
        ids.append(event["id"])
        if event["type"] == "beds.updated":
            waiting.discard(event["data"]["unit_id"])
    return ids


async def _event_ids_for(board: ClientConnection, seconds: float) -> list[str]:
    """The ids of the events that arrive within `seconds`."""
    ids: list[str] = []
    deadline = time.monotonic() + seconds
    with contextlib.suppress(TimeoutError):
        while (left := deadline - time.monotonic()) > 0:
            ids.append((await next_event(board, timeout=left))["event"]["id"])
    return ids


async def test_scheduled_jobs_run_once_in_the_worker_not_per_api_process(
    running: WiccRun, fresh_db: str
) -> None:
    await asyncio.sleep(8 * JOB_INTERVAL_SECONDS)
    conn = await asyncpg.connect(plain_url(fresh_db))
    try:
        runs = await conn.fetch(
            "SELECT runner, started_at FROM kernel.job_run WHERE job = 'sitrep-deadline' "
            "ORDER BY started_at"
        )
    finally:
        await conn.close()
    worker = running.background_worker()
    assert worker is not None, "wicc run started no worker process"
    assert {r["runner"].rsplit("-", 1)[1] for r in runs} == {str(worker)}
    # Once per interval: were each API process also running the job, there would be
    # runs closer together than half an interval.
    gaps = [(b["started_at"] - a["started_at"]).total_seconds() for a, b in pairwise(runs)]
    assert len(runs) >= 3
    assert min(gaps) >= JOB_INTERVAL_SECONDS / 2


async def test_a_dead_worker_is_replaced_and_ctrl_c_stops_everything(running: WiccRun) -> None:
    victim = min(running.workers())
    os.kill(victim, signal.SIGKILL)
    deadline = time.monotonic() + START_TIMEOUT_SECONDS
    while victim in running.workers() or len(running.workers()) < 2:
        assert time.monotonic() < deadline, "the dead worker was not replaced"
        await asyncio.sleep(0.2)
    await _ready_on_every_worker(running)

    processes = running.workers() | {running.background_worker() or 0} - {0}
    assert len(processes) == 3  # two API processes and the worker
    running.process.send_signal(signal.SIGINT)
    assert running.process.wait(STOP_TIMEOUT_SECONDS) == 0
    assert not any(os.path.exists(f"/proc/{pid}") for pid in processes)  # noqa: ASYNC240
