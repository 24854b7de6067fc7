"""uvicorn's WebSocket protocol, offering each connection to the app as a `FrameSink`.

Imported by uvicorn alone, from `frame_sink.PROTOCOL_PATH`, when it starts serving:
nothing else imports this module, so nothing else depends on uvicorn's private
sans-I/O implementation. That implementation appeared in uvicorn 0.35; a protocol
given by import path (as here) is accepted from 0.36, hence the floor in
pyproject.toml.

What the subclass relies on is listed below. A test checks that the installed uvicorn
still has all of it, so an upgrade that renames something fails CI; and a
connection on which something is missing is not offered the sink, so the board
falls back to plain ASGI sends for it instead of failing.
"""

from __future__ import annotations

import functools
import logging

from uvicorn.protocols.websockets.websockets_sansio_impl import WebSocketsSansIOProtocol
from websockets.http11 import Request
from websockets.protocol import State

from wicc_flow.board.frame_sink import FRAME_SINK

logger = logging.getLogger(__name__)

# Methods of uvicorn's protocol overridden here: were one renamed, the override would
# silently never run.
OVERRIDES: tuple[str, ...] = ("handle_connect",)
# Attributes of a connection (after uvicorn accepted its handshake) read here.
READS: tuple[str, ...] = (
    "conn",
    "transport",
    "scope",
    "handshake_initiated",
    "handshake_complete",
    "close_sent",
)


def missing(protocol: object) -> list[str]:
    """What this module relies on that `protocol` (a connection) or uvicorn's protocol
    class lacks; empty when the frame sink can be offered safely."""
    lacking = [f"{name}()" for name in OVERRIDES if not hasattr(WebSocketsSansIOProtocol, name)]
    return lacking + [name for name in READS if not hasattr(protocol, name)]


@functools.cache
def _warn_unusable(lacking: tuple[str, ...]) -> None:
    # Once per process: every connection would say the same.
    logger.warning(
        "uvicorn's WebSocket protocol lacks %s; board frames go through plain ASGI sends",
        ", ".join(lacking),
    )


class FrameSinkWebSocketProtocol(WebSocketsSansIOProtocol):
    """uvicorn's WebSocket protocol, offering itself as a `FrameSink` to the app.

    Offered only without compression: a pre-encoded frame cannot be deflated per
    connection. Frames written this way may interleave with uvicorn's own (pings,
    the close frame) only at frame boundaries, since every write is a whole frame
    on the single event-loop thread.
    """

    def handle_connect(self, event: Request) -> None:
        super().handle_connect(event)
        if not hasattr(self, "scope"):
            return  # uvicorn refused the handshake itself: no app will run
        lacking = missing(self)
        if lacking:
            _warn_unusable(tuple(lacking))
            return
        # The app's task was created but has not run yet: the scope can still grow.
        if self.handshake_initiated and not self.conn.extensions:
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
