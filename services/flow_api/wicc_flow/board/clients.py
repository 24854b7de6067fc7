"""One connected board as the hub sees it: how its frames leave, and when it is too slow.

Two ways out, chosen per connection:

- `SocketClient`: the server offers a `FrameSink` (see `frame_sink.py`). The hub
  writes each frame's bytes to the socket itself, in its fan-out loop: no task and
  no queue per client. Frames the peer has not taken yet wait in the transport's
  buffer; that buffer is the client's bounded queue.
- `QueuedClient`: any other ASGI server. Frames wait in a bounded queue for a
  sender task that uses ordinary `websocket.send` messages.

Either way a client that falls `max_waiting` frames behind, or whose oldest
unsent frame has waited longer than the send timeout, is dropped by the hub and
resumes with `since`.
"""

from __future__ import annotations

import asyncio
from abc import ABC, abstractmethod
from collections import deque
from dataclasses import dataclass
from typing import ClassVar

from starlette.types import Send

from wicc_flow.board.frame_sink import FrameSink, encode_text_frame


@dataclass(frozen=True, slots=True)
class BoardFrame:
    """A frame as every client gets it: serialised and encoded once."""

    seq: int
    text: str
    wire: bytes  # the whole WebSocket frame

    @classmethod
    def of(cls, seq: int, text: str) -> BoardFrame:
        return cls(seq, text, encode_text_frame(text))


class BoardClient(ABC):
    path: ClassVar[str]  # how its frames leave, as the metrics label it

    def __init__(self, max_waiting: int) -> None:
        self.max_waiting = max_waiting
        self.dropped: str | None = None  # why the hub gave up on it
        self.failed = False  # sending raised: the connection is gone
        self.delivered_seq: int | None = None  # the last seq passed to the connection
        self.resumed = False
        self.done: asyncio.Future[None] = asyncio.get_running_loop().create_future()

    @abstractmethod
    def offer(self, frame: BoardFrame) -> bool:
        """Pass `frame` on, in order after the earlier ones; False when the client is
        already too far behind to take it."""

    @abstractmethod
    def stalled(self, now: float, timeout: float) -> bool:
        """True when a frame has waited to leave for longer than `timeout` seconds."""

    @abstractmethod
    def start(self) -> None:
        """Begin sending what was offered before the client was registered."""

    def stop(self) -> None:
        """Send nothing more; wake whoever waits on `done`."""
        if not self.done.done():
            self.done.set_result(None)

    @abstractmethod
    def abandon(self, after_seconds: float) -> None:
        """The client was dropped: cut its connection if it still lingers then."""


class SocketClient(BoardClient):
    path = "frame_sink"

    def __init__(self, sink: FrameSink, max_waiting: int) -> None:
        super().__init__(max_waiting)
        self.sink = sink
        # Sizes of the latest frames written, as many as may still be in the buffer.
        self._unsent: deque[int] = deque()
        self._unsent_bytes = 0
        self.behind_since: float | None = None

    @property
    def waiting(self) -> int:
        """Frames not yet (wholly) taken by the kernel: the newest ones whose sizes
        add up to what the transport still buffers."""
        buffered = self.sink.buffered_bytes()
        while self._unsent and self._unsent_bytes - self._unsent[0] >= buffered:
            self._unsent_bytes -= self._unsent.popleft()
        if not buffered:
            self._unsent.clear()
            self._unsent_bytes = 0
        return len(self._unsent)

    def offer(self, frame: BoardFrame) -> bool:
        if self.waiting >= self.max_waiting:
            return False
        if not self.done.done() and self.sink.write(frame.wire):
            self.delivered_seq = frame.seq
            self._unsent.append(len(frame.wire))
            self._unsent_bytes += len(frame.wire)
        return True

    def start(self) -> None:
        pass  # `offer` writes at once: the first frames are already on their way

    def stalled(self, now: float, timeout: float) -> bool:
        # Sampled by the hub's stall watch: behind at every look for `timeout`.
        if not self.sink.buffered_bytes():
            self.behind_since = None
            return False
        if self.behind_since is None:
            self.behind_since = now
        return now - self.behind_since > timeout

    def abandon(self, after_seconds: float) -> None:
        asyncio.get_running_loop().call_later(after_seconds, self.sink.abort)


class QueuedClient(BoardClient):
    path = "asgi_queue"

    def __init__(self, send: Send, max_waiting: int) -> None:
        super().__init__(max_waiting)
        self.queue: asyncio.Queue[BoardFrame] = asyncio.Queue(maxsize=max_waiting)
        self.sending_since: float | None = None  # loop time the current send began
        self._send = send
        self._sender: asyncio.Task[None] | None = None

    def offer(self, frame: BoardFrame) -> bool:
        try:
            self.queue.put_nowait(frame)
        except asyncio.QueueFull:
            return False
        return True

    def stalled(self, now: float, timeout: float) -> bool:
        return self.sending_since is not None and now - self.sending_since > timeout

    def start(self) -> None:
        self._sender = asyncio.create_task(self._pump())

    def abandon(self, after_seconds: float) -> None:
        pass  # plain ASGI offers no way to cut the connection; the server closes it

    def stop(self) -> None:
        if self._sender is not None:
            self._sender.cancel()
        super().stop()

    async def _pump(self) -> None:
        # No timer per send: arming and cancelling one for each of 1,000 clients per
        # event cost more than the send itself. The hub's stall watch drops a client
        # whose send has not finished in time.
        loop = asyncio.get_running_loop()
        try:
            while True:
                frame = await self.queue.get()
                self.sending_since = loop.time()
                await self._send({"type": "websocket.send", "text": frame.text})
                self.sending_since = None
                self.delivered_seq = frame.seq
        except asyncio.CancelledError:
            raise
        except Exception:  # the connection is gone, whatever the server raised
            self.failed = True
        BoardClient.stop(self)
