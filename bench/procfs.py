"""What Linux's /proc tells about the server under test: its processes' CPU time,
its worker processes, and which worker holds a given connection (as `ss -p` finds
it). Used by the benchmarks and by the multi-worker tests."""

from __future__ import annotations

import contextlib
import os
from pathlib import Path

PROC = Path("/proc")


def process_stats() -> dict[int, tuple[int, str, float]]:
    """pid -> (parent pid, command name, CPU seconds) for every process."""
    ticks = os.sysconf("SC_CLK_TCK")
    stats: dict[int, tuple[int, str, float]] = {}
    for entry in PROC.iterdir():
        if not entry.name.isdigit():
            continue
        try:
            text = (entry / "stat").read_text()
        except OSError:
            continue
        name = text[text.index("(") + 1 : text.rindex(")")]
        fields = text.rsplit(")", 1)[1].split()
        stats[int(entry.name)] = (int(fields[1]), name, (int(fields[11]) + int(fields[12])) / ticks)
    return stats


def child_pids(parent: int) -> set[int]:
    """Every process whose parent is `parent`."""
    return {pid for pid, (ppid, _name, _cpu) in process_stats().items() if ppid == parent}


def worker_pids(parent: int) -> set[int]:
    """The worker processes uvicorn's supervisor `parent` started (multiprocessing
    spawns them; its resource tracker, also a child, is not a worker)."""
    workers: set[int] = set()
    for pid, (ppid, _name, _cpu) in process_stats().items():
        if ppid != parent:
            continue
        with contextlib.suppress(OSError):
            if b"spawn_main" in (PROC / str(pid) / "cmdline").read_bytes():
                workers.add(pid)
    return workers


def connection_owner(server_port: int, client_port: int, pids: set[int]) -> int | None:
    """Which of `pids` holds the server side of the loopback connection from
    `client_port` to `server_port`; None while no process has accepted it yet."""
    inode = _server_socket_inode(server_port, client_port)
    if inode is None:
        return None
    target = f"socket:[{inode}]"
    for pid in pids:
        with contextlib.suppress(OSError):
            for fd in (PROC / str(pid) / "fd").iterdir():
                with contextlib.suppress(OSError):
                    if os.readlink(fd) == target:
                        return pid
    return None


def _server_socket_inode(server_port: int, client_port: int) -> str | None:
    for line in (PROC / "net" / "tcp").read_text().splitlines()[1:]:
        fields = line.split()
        local_port = int(fields[1].rsplit(":", 1)[1], 16)
        remote_port = int(fields[2].rsplit(":", 1)[1], 16)
        if (local_port, remote_port) == (server_port, client_port):
            return fields[9]
    return None
