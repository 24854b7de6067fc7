"""Pre-encoded WebSocket frames written straight to a connection's socket.

The board sends the same frame to every connected client. Through plain ASGI each
send builds the frame again, passes several wrappers, and wakes one task per
client; at 1,000 clients that cost more than the socket writes themselves
(docs/performance.md). This module adds an ASGI extension to uvicorn's WebSocket
protocol: the application encodes a frame once and writes the bytes to each
connection, without a task switch.

An application looks for `FRAME_SINK` in `scope["extensions"]` and falls back to
ordinary `websocket.send` messages when another server runs it.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, Protocol

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.frames import Frame, Opcode
from websockets.http11 import Request
from websockets.protocol import State

FRAME_SINK = "wicc.websocket.frame_sink"
# For uvicorn's `ws` option (and `uvicorn --ws ...` in the container entrypoint).
PROTOCOL_PATH = "wicc_shared.websocket:FrameSinkWebSocketProtocol"
# How every WICC process runs uvicorn's WebSockets. No per-message compression: it
# would deflate every frame once per client, where the board encodes it once for all.
UVICORN_WEBSOCKET_OPTIONS: dict[str, object] = {
    "ws": PROTOCOL_PATH,
    "ws_per_message_deflate": False,
}


class FrameSink(Protocol):
    """Where a connection's pre-encoded frames go."""

    def write(self, frame: bytes) -> bool:
        """Write one whole frame; False when the connection is closing or closed."""
        ...

    def buffered_bytes(self) -> int:
        """Bytes written but not yet taken by the kernel (the peer is behind)."""
        ...

    def abort(self) -> None:
        """Drop the connection at once, discarding whatever is still buffered."""
        ...


def encode_text_frame(text: str) -> bytes:
    """A complete server-to-client text frame (servers never mask, RFC 6455 5.1)."""
    return Frame(Opcode.TEXT, text.encode()).serialize(mask=False)


class FrameSinkWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, offering itself as a `FrameSink` to the app.

    Offered only without compression: a pre-encoded frame cannot be deflated per
    connection. Frames written this way may interleave with uvicorn's own (pings,
    the close frame) only at frame boundaries, since every write is a whole frame
    on the single event-loop thread.
    """

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        # The app's task was created but has not run yet: the scope can still grow.
        if self.handshake_initiated and not self.conn.extensions and hasattr(self, "scope"):
            self.scope["extensions"][FRAME_SINK] = {"sink": self}

    def write(self, frame: bytes) -> bool:
        if (
            not self.handshake_complete
            or self.close_sent
            or self.conn.state is not State.OPEN
            or self.transport.is_closing()
        ):
            return False
        self.transport.write(frame)
        return True

    def buffered_bytes(self) -> int:
        return self.transport.get_write_buffer_size()

    def abort(self) -> None:
        self.transport.abort()


def frame_sink(scope: Mapping[str, Any]) -> FrameSink | None:
    """The connection's `FrameSink`, when the server offers one."""
    extensions = scope.get("extensions")
    if not isinstance(extensions, dict):
        return None
    offer = extensions.get(FRAME_SINK)
    sink = offer.get("sink") if isinstance(offer, dict) else None
    return sink if isinstance(sink, FrameSinkWebSocketProtocol) else None
