"""`WICC_WORKERS` > 1: worker processes, each listening on its own socket.

uvicorn's multi-worker mode shares one listening socket, and whichever worker
wakes first accepts each connection: a burst of keep-alive connections (a trust's
integration engine, a control room's boards opening together) can land mostly on
one worker while the other idles. Here every worker binds its own socket to the
same port with SO_REUSEPORT, and the kernel spreads new connections over the
workers by a hash of their addresses.

The supervisor restarts a worker that dies, stops every worker on SIGINT or
SIGTERM, and gives up when a worker cannot even start.
"""

from __future__ import annotations

import logging
import multiprocessing
import os
import signal
import socket
import time
from collections.abc import Mapping
from multiprocessing.process import BaseProcess
from types import FrameType
from typing import Any

import uvicorn

logger = logging.getLogger("wicc.workers")
APP_FACTORY = "wicc.app:create_app_from_env"
# A worker that exits sooner than this after starting is broken, not unlucky:
# restarting it would only loop.
MIN_UPTIME_SECONDS = 10.0
POLL_SECONDS = 0.5
STOP_TIMEOUT_SECONDS = 30.0


class WorkerStartupFailed(RuntimeError):
    pass


def can_share_port() -> bool:
    return hasattr(socket, "SO_REUSEPORT")


def listening_socket(host: str, port: int) -> socket.socket:
    """A socket on `host:port` that other workers may bind too."""
    family = socket.AF_INET6 if ":" in host else socket.AF_INET
    sock = socket.socket(family, socket.SOCK_STREAM)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEPORT, 1)
    sock.bind((host, port))
    sock.set_inheritable(True)
    return sock


def serve_worker(environment: Mapping[str, str], options: dict[str, Any]) -> None:
    """One worker process: its own socket, the whole app, uvicorn's graceful stop."""
    os.environ.update(environment)
    host, port = options.pop("host"), options.pop("port")
    sock = listening_socket(host, port)
    config = uvicorn.Config(APP_FACTORY, factory=True, host=host, port=port, **options)
    uvicorn.Server(config).run(sockets=[sock])


class Supervisor:
    def __init__(self, count: int, environment: Mapping[str, str], options: dict[str, Any]):
        self.count = count
        self.environment = dict(environment)
        self.options = options
        self.context = multiprocessing.get_context("spawn")
        self.workers: list[tuple[BaseProcess, float]] = []  # (process, started at)
        self.stopping = False

    def run(self) -> None:
        # Fail at once, in this process, when the port is taken by something else.
        listening_socket(self.options["host"], self.options["port"]).close()
        previous = {sig: signal.signal(sig, self._stop) for sig in (signal.SIGINT, signal.SIGTERM)}
        try:
            self.workers = [self._start() for _ in range(self.count)]
            while not self.stopping:
                time.sleep(POLL_SECONDS)
                self._replace_dead_workers()
        finally:
            self._stop_all()
            for sig, handler in previous.items():
                signal.signal(sig, handler)

    def _start(self) -> tuple[BaseProcess, float]:
        process = self.context.Process(
            target=serve_worker, args=(self.environment, dict(self.options)), daemon=False
        )
        process.start()
        logger.info("worker %s started", process.pid)
        return process, time.monotonic()

    def _replace_dead_workers(self) -> None:
        for index, (process, started) in enumerate(self.workers):
            if process.is_alive() or self.stopping:
                continue
            if time.monotonic() - started < MIN_UPTIME_SECONDS:
                raise WorkerStartupFailed(
                    f"worker {process.pid} exited with code {process.exitcode} while starting"
                )
            logger.error("worker %s exited (code %s): replacing it", process.pid, process.exitcode)
            self.workers[index] = self._start()

    def _stop(self, signum: int, _frame: FrameType | None) -> None:
        self.stopping = True

    def _stop_all(self) -> None:
        alive = [process for process, _ in self.workers if process.is_alive()]
        for process in alive:
            if process.pid is not None:
                # A worker also stopping on its own (a terminal's Ctrl+C reaches the whole
                # process group) takes a SIGTERM after SIGINT as the same request.
                os.kill(process.pid, signal.SIGTERM)
        deadline = time.monotonic() + STOP_TIMEOUT_SECONDS
        for process in alive:
            process.join(max(0.0, deadline - time.monotonic()))
            if process.is_alive():
                logger.error("worker %s did not stop in time: killing it", process.pid)
                process.kill()
                process.join()
