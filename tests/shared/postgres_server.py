"""A PostgreSQL server of one test's own, which the test shuts down and starts again.

Shutdowns are the server's own, by the signals its operators' tools send: SIGTERM is a
smart shutdown (new connections refused with 57P03 while open sessions may finish),
SIGINT a fast one (sessions ended, then the server exits). SIGSTOP freezes the
postmaster: the kernel still accepts connections, but nothing answers them, as with a
hung server or a network that drops packets.
"""

from __future__ import annotations

import asyncio
import contextlib
import os
import signal
from pathlib import Path

from tests.support import prepare_database
from wicc_shared.embedded import EmbeddedPostgres

STOP_TIMEOUT_SECONDS = 20.0


class PostgresServer:
    def __init__(self, data_dir: Path) -> None:
        self._server = EmbeddedPostgres(data_dir)
        self.url = ""

    async def start(self) -> str:
        """Start the server (again) and return the URL of a migrated database."""
        fresh = not self.url
        self.url = await asyncio.to_thread(self._server.ensure_database, "wicc")
        if fresh:
            await prepare_database(self.url)
        return self.url

    def begin_smart_shutdown(self) -> None:
        os.kill(self._postmaster(), signal.SIGTERM)

    def freeze(self) -> None:
        os.kill(self._postmaster(), signal.SIGSTOP)

    def thaw(self) -> None:
        os.kill(self._postmaster(), signal.SIGCONT)

    async def stop(self) -> None:
        """A fast shutdown, returning once the server has exited."""
        pid = self._postmaster()
        os.kill(pid, signal.SIGINT)
        for _ in range(int(STOP_TIMEOUT_SECONDS / 0.05)):
            if not _alive(pid):
                # Forget the stopped server, so `start` starts it rather than joining it.
                self._server.stop()
                return
            await asyncio.sleep(0.05)
        raise AssertionError(f"PostgreSQL (pid {pid}) did not stop")

    def cleanup(self) -> None:
        if (self._server.pgdata / "postmaster.pid").exists():
            with contextlib.suppress(ProcessLookupError):
                self.thaw()  # a frozen server could not be stopped
        self._server.stop()

    def _postmaster(self) -> int:
        # The first line of postmaster.pid is the postmaster's process id.
        return int((self._server.pgdata / "postmaster.pid").read_text().split()[0])


def _alive(pid: int) -> bool:
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    return True
