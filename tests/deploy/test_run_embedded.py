"""`wicc run` on a machine with no PostgreSQL or Redis configured: it starts both from
their wheels under the data dir, seeds the demo system, prints where everything is,
stops everything on Ctrl+C, and finds its data again on the next start.

Runs the real command as a subprocess (what `make run` runs), with a data dir of its own.
"""

from __future__ import annotations

import contextlib
import os
import signal
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta
from pathlib import Path

import httpx
import pytest

from tests.support import ADMIN_TOKEN, bed_figures
from wicc_shared.embedded import free_port

ROOT = Path(__file__).resolve().parents[2]
START_TIMEOUT_SECONDS = 120.0
STOP_TIMEOUT_SECONDS = 60.0


class Run:
    """One `wicc run` and what it printed."""

    def __init__(self, data_dir: Path, port: int) -> None:
        env = {k: v for k, v in os.environ.items() if not k.startswith(("WICC_", "TEST_"))}
        env.pop("DATABASE_URL", None)
        env.pop("REDIS_URL", None)
        env.update(WICC_ADMIN_TOKEN=ADMIN_TOKEN, WICC_PORT=str(port), WICC_DATA_DIR=str(data_dir))
        self.log_path = data_dir.parent / f"wicc-{time.monotonic_ns()}.log"
        self._log = self.log_path.open("wb")
        self.process = subprocess.Popen(
            [sys.executable, "-m", "wicc.cli", "run"],
            cwd=ROOT,
            env=env,
            stdout=self._log,
            stderr=subprocess.STDOUT,
            start_new_session=True,  # its own process group: nothing outlives the test
        )
        self.client = httpx.Client(
            base_url=f"http://127.0.0.1:{port}",
            headers={"Authorization": f"Bearer {ADMIN_TOKEN}"},
            timeout=10,
        )

    def wait_ready(self) -> None:
        deadline = time.monotonic() + START_TIMEOUT_SECONDS
        while time.monotonic() < deadline:
            assert self.process.poll() is None, f"wicc run exited:\n{self.output()}"
            with contextlib.suppress(httpx.HTTPError):
                if self.client.get("/flow/readyz").status_code == 200:
                    return
            time.sleep(0.2)
        raise AssertionError(f"wicc run never became ready:\n{self.output()}")

    def output(self) -> str:
        return self.log_path.read_text(errors="replace")

    def stop(self) -> int | None:
        """Ctrl+C; the exit code, or None if it had to be killed."""
        self.client.close()
        code: int | None = None
        if self.process.poll() is None:
            self.process.send_signal(signal.SIGINT)
            with contextlib.suppress(subprocess.TimeoutExpired):
                code = self.process.wait(STOP_TIMEOUT_SECONDS)
        with contextlib.suppress(ProcessLookupError):
            os.killpg(self.process.pid, signal.SIGKILL)
        self.process.wait()
        self._log.close()
        return code


@pytest.fixture
def data_dir(tmp_path: Path) -> Path:
    return tmp_path / "wicc-data"


@pytest.fixture
def runs(data_dir: Path) -> Iterator[list[Run]]:
    started: list[Run] = []
    yield started
    for run in started:
        run.stop()


def _start(runs: list[Run], data_dir: Path, port: int) -> Run:
    run = Run(data_dir, port)
    runs.append(run)
    run.wait_ready()
    return run


def _listening(port: int) -> bool:
    with contextlib.suppress(OSError), socket.create_connection(("127.0.0.1", port), 0.5):
        return True
    return False


def _board_orgs_soon(run: Run, within_seconds: float = 15.0) -> set[str]:
    """The organisations on the board once the demo's events have reached it (the hub
    catches up with the log after the service says it is ready)."""
    deadline = time.monotonic() + within_seconds
    while True:
        orgs = {u["org"] for u in run.client.get("/flow/v1/board").json()["units"]}
        if orgs >= {"RNZ", "RN3", "RD1"} or time.monotonic() > deadline:
            return orgs
        time.sleep(0.2)


def test_wicc_run_brings_up_its_own_servers_and_keeps_the_data(
    runs: list[Run], data_dir: Path
) -> None:
    port = free_port()
    first = _start(runs, data_dir, port)
    printed = first.output()
    base = f"http://127.0.0.1:{port}"
    for where in ("/capacity/docs", "/flow/docs", "/escalation/docs", "/flow/v1/board"):
        assert f"{base}{where}" in printed, printed
    assert _board_orgs_soon(first) >= {"RNZ", "RN3", "RD1"}  # the demo system

    as_of = (datetime.now(UTC) + timedelta(seconds=30)).isoformat()  # newer than the demo's
    put = first.client.put(
        "/capacity/v1/units/RNZ-AMU/beds", json=bed_figures(occupied=7, as_of=as_of)
    )
    assert put.status_code == 200, put.text
    redis_port = int((data_dir / "redis" / "port").read_text())
    assert first.stop() == 0
    assert not (data_dir / "postgres" / "postmaster.pid").exists()  # stopped cleanly
    assert not _listening(redis_port)

    second = _start(runs, data_dir, port)
    kept = second.client.get("/capacity/v1/units/RNZ-AMU/beds").json()
    assert (kept["occupied"], kept["version"]) == (7, put.json()["version"])
