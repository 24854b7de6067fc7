"""A minimal WebSocket client (RFC 6455) for load generation: many sockets, little CPU.

The board benchmark runs 1,000 clients on the same 2-core machine as the server,
so every microsecond a client spends per frame is taken from the server being
measured. A full client library costs some 40 µs of CPU per frame received
(its reader task, queues, validation); this protocol parses frames straight from
`data_received` and hands each complete text message to a callback, with the time
it arrived. It supports what the benchmark needs: the opening handshake with
headers, unfragmented text frames, answering pings, and the closing handshake.
"""

from __future__ import annotations

import asyncio
import base64
import os
import struct
import time
from collections.abc import Callable
from typing import cast
from urllib.parse import urlsplit

OnMessage = Callable[[str, float], None]  # (text, wall-clock time received)

_TEXT, _CLOSE, _PING, _PONG = 0x1, 0x8, 0x9, 0xA
_HEADER_END = b"\r\n\r\n"


class HandshakeFailed(Exception):
    pass


class WebSocketClient(asyncio.Protocol):
    def __init__(self, on_message: OnMessage) -> None:
        self.on_message = on_message
        self.transport: asyncio.Transport | None = None
        self.handshake: asyncio.Future[None] = asyncio.get_running_loop().create_future()
        self.closed: asyncio.Future[str] = asyncio.get_running_loop().create_future()
        self._buffer = bytearray()
        self._open = False

    @classmethod
    async def connect(
        cls, url: str, headers: dict[str, str], on_message: OnMessage
    ) -> WebSocketClient:
        parts = urlsplit(url)
        host, port = parts.hostname or "127.0.0.1", parts.port or 80
        target = parts.path + (f"?{parts.query}" if parts.query else "")
        loop = asyncio.get_running_loop()
        _transport, client = await loop.create_connection(lambda: cls(on_message), host, port)
        client._send_handshake(parts.netloc, target, headers)
        await client.handshake
        return client

    def _send_handshake(self, host: str, target: str, headers: dict[str, str]) -> None:
        assert self.transport is not None
        key = base64.b64encode(os.urandom(16)).decode()
        lines = [
            f"GET {target} HTTP/1.1",
            f"Host: {host}",
            "Upgrade: websocket",
            "Connection: Upgrade",
            f"Sec-WebSocket-Key: {key}",
            "Sec-WebSocket-Version: 13",
            *(f"{k}: {v}" for k, v in headers.items()),
        ]
        self.transport.write("\r\n".join(lines).encode() + _HEADER_END)

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not registered as asyncio.Transport subclasses.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        at = time.time()  # first thing: the bytes have just reached this client
        self._buffer += data
        if not self._open and not self._read_handshake():
            return
        self._read_frames(at)

    def _read_handshake(self) -> bool:
        end = self._buffer.find(_HEADER_END)
        if end < 0:
            return False
        status_line = bytes(self._buffer[: self._buffer.find(b"\r\n")]).decode("latin-1")
        del self._buffer[: end + len(_HEADER_END)]
        if " 101 " not in f"{status_line} ":
            self.handshake.set_exception(HandshakeFailed(status_line))
            return False
        self._open = True
        self.handshake.set_result(None)
        return True

    def _read_frames(self, at: float) -> None:
        buffer = self._buffer
        while len(buffer) >= 2:
            opcode, length = buffer[0] & 0x0F, buffer[1] & 0x7F
            offset = 2
            if length == 126:
                if len(buffer) < 4:
                    return
                (length,) = struct.unpack_from("!H", buffer, 2)
                offset = 4
            elif length == 127:
                if len(buffer) < 10:
                    return
                (length,) = struct.unpack_from("!Q", buffer, 2)
                offset = 10
            if len(buffer) < offset + length:
                return
            payload = bytes(buffer[offset : offset + length])
            del buffer[: offset + length]
            self._on_frame(opcode, payload, at)

    def _on_frame(self, opcode: int, payload: bytes, at: float) -> None:
        if opcode == _TEXT:
            self.on_message(payload.decode(), at)
        elif opcode == _PING:
            self._send_frame(_PONG, payload)
        elif opcode == _CLOSE:
            code = struct.unpack_from("!H", payload)[0] if len(payload) >= 2 else 1005
            reason = payload[2:].decode(errors="replace")
            self._finish(f"{code} {reason}".strip())
            self._send_frame(_CLOSE, payload[:2])

    def _send_frame(self, opcode: int, payload: bytes) -> None:
        """Client frames must be masked (RFC 6455 section 5.3); control payloads are short."""
        if self.transport is None or self.transport.is_closing():
            return
        mask = os.urandom(4)
        masked = bytes(b ^ mask[i % 4] for i, b in enumerate(payload))
        self.transport.write(bytes([0x80 | opcode, 0x80 | len(payload)]) + mask + masked)

    async def close(self) -> None:
        self._send_frame(_CLOSE, struct.pack("!H", 1000))
        try:
            async with asyncio.timeout(2):
                await asyncio.shield(self.closed)
        except TimeoutError:
            pass
        if self.transport is not None:
            self.transport.close()

    def connection_lost(self, exc: Exception | None) -> None:
        self._finish(f"connection lost: {exc!r}" if exc else "connection closed")
        if not self.handshake.done():
            self.handshake.set_exception(HandshakeFailed("connection closed during handshake"))

    def _finish(self, why: str) -> None:
        if not self.closed.done():
            self.closed.set_result(why)
