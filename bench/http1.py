"""A minimal HTTP/1.1 keep-alive client for load generation.

Load generators share this 2-core machine with the server, so the client's own CPU
use counts against the server's: a general-purpose client such as httpx costs a few
milliseconds of CPU per request, as much as the server's work. This one writes a
prepared request and reads a `Content-Length` response on one persistent
connection, about 30 µs per request. It handles only what the benchmarks need: JSON
bodies, `Content-Length` framing, keep-alive.
"""

from __future__ import annotations

import asyncio
import json
from dataclasses import dataclass
from typing import Any

_HEADER_END = b"\r\n\r\n"


@dataclass(frozen=True)
class Reply:
    status: int
    body: bytes

    def json(self) -> Any:
        return json.loads(self.body)


class Connection:
    """One keep-alive connection; one request at a time."""

    def __init__(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter, host: str):
        self._reader, self._writer, self._host = reader, writer, host

    @classmethod
    async def open(cls, host: str, port: int) -> Connection:
        reader, writer = await asyncio.open_connection(host, port)
        return cls(reader, writer, f"{host}:{port}")

    async def request(
        self, method: str, path: str, body: bytes = b"", headers: dict[str, str] | None = None
    ) -> Reply:
        lines = [f"{method} {path} HTTP/1.1", f"Host: {self._host}"]
        lines += [f"{k}: {v}" for k, v in (headers or {}).items()]
        lines.append(f"Content-Length: {len(body)}")
        self._writer.write("\r\n".join(lines).encode() + _HEADER_END + body)
        return await self._read_reply()

    async def post_json(self, path: str, payload: Any, headers: dict[str, str]) -> Reply:
        body = json.dumps(payload, separators=(",", ":")).encode()
        return await self.request(
            "POST", path, body, {**headers, "Content-Type": "application/json"}
        )

    async def _read_reply(self) -> Reply:
        head = await self._reader.readuntil(_HEADER_END)
        status_line, *header_lines = head.decode("latin-1").split("\r\n")
        status = int(status_line.split(" ", 2)[1])
        length = 0
        for line in header_lines:
            name, _, value = line.partition(":")
            if name.strip().lower() == "content-length":
                length = int(value)
        return Reply(status, await self._reader.readexactly(length))

    async def close(self) -> None:
        self._writer.close()
        await self._writer.wait_closed()
