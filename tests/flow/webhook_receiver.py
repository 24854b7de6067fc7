"""A receiver of webhooks for tests: a small HTTP/1.1 server on 127.0.0.1 that records
every callback and answers as the test says (a status, headers, or not at all).

It can be stopped and started again on the same port, as a trust's server that goes
down and comes back.
"""

from __future__ import annotations

import asyncio
import contextlib
import time
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

from standardwebhooks.webhooks import Webhook


@dataclass(frozen=True)
class Callback:
    headers: dict[str, str]
    body: bytes
    received_at: float  # time.monotonic()

    @property
    def id(self) -> str:
        return self.headers["webhook-id"]

    def verified(self, secret: str) -> dict[str, Any]:
        """The event, once the official library has checked its signature."""
        event: dict[str, Any] = Webhook(secret).verify(self.body, self.headers)
        return event


@dataclass(frozen=True)
class Answer:
    status: int = 204
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes = b""
    hang: bool = False  # never answer (until the receiver stops)


Answering = Callable[[Callback], Answer]


def always(status: int, **headers: str) -> Answering:
    answer = Answer(status, dict(headers), b"" if status == 204 else b"answer from the receiver")
    return lambda _callback: answer


HANG = Answer(hang=True)


class Receiver:
    def __init__(self, answering: Answering | None = None) -> None:
        self.answering = answering or always(204)
        self.callbacks: list[Callback] = []
        self.answered: list[Callback] = []  # those given a 2xx
        self.port = 0
        self._server: asyncio.Server | None = None
        self._handlers: set[asyncio.Task[None]] = set()
        self._arrived = asyncio.Condition()

    @property
    def url(self) -> str:
        return f"http://127.0.0.1:{self.port}/hooks"

    async def start(self) -> Receiver:
        self._server = await asyncio.start_server(
            self._connection, "127.0.0.1", self.port, reuse_address=True
        )
        self.port = self._server.sockets[0].getsockname()[1]
        return self

    async def stop(self) -> None:
        """Close the listening socket and every connection: the server is down."""
        if self._server is not None:
            self._server.close()
        for task in list(self._handlers):
            task.cancel()
        with contextlib.suppress(Exception):
            await asyncio.gather(*self._handlers, return_exceptions=True)
        if self._server is not None:
            with contextlib.suppress(Exception):
                await self._server.wait_closed()
        self._server = None

    async def wait_for(self, count: int, timeout: float = 10.0) -> list[Callback]:
        """The callbacks so far, once there are at least `count` (or the timeout)."""
        async with self._arrived:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._arrived.wait_for(lambda: len(self.callbacks) >= count), timeout
                )
        assert len(self.callbacks) >= count, f"{len(self.callbacks)} callbacks, not {count}"
        return list(self.callbacks)

    async def wait_answered(self, count: int, timeout: float = 10.0) -> list[Callback]:
        async with self._arrived:
            with contextlib.suppress(TimeoutError):
                await asyncio.wait_for(
                    self._arrived.wait_for(lambda: len(self.answered) >= count), timeout
                )
        assert len(self.answered) >= count, f"{len(self.answered)} answered, not {count}"
        return list(self.answered)

    async def _connection(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        task = asyncio.current_task()
        assert task is not None
        self._handlers.add(task)
        try:
            while (callback := await _read(reader)) is not None:
                if not await self._answer(callback, writer):
                    return
        except (ConnectionError, asyncio.IncompleteReadError, asyncio.CancelledError):
            pass
        finally:
            self._handlers.discard(task)
            writer.close()

    async def _answer(self, callback: Callback, writer: asyncio.StreamWriter) -> bool:
        answer = self.answering(callback)
        async with self._arrived:
            self.callbacks.append(callback)
            if 200 <= answer.status < 300 and not answer.hang:
                self.answered.append(callback)
            self._arrived.notify_all()
        if answer.hang:
            await asyncio.sleep(3600)
            return False
        head = [f"HTTP/1.1 {answer.status} X", f"content-length: {len(answer.body)}"]
        head += [f"{name}: {value}" for name, value in answer.headers.items()]
        writer.write(("\r\n".join(head) + "\r\n\r\n").encode("latin-1") + answer.body)
        await writer.drain()
        return True


async def _read(reader: asyncio.StreamReader) -> Callback | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    _line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Callback(headers=headers, body=body, received_at=time.monotonic())
