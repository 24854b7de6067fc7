"""The seam through which the board writes pre-encoded frames straight to each socket.

The board sends the same frame to every connected client. Through plain ASGI each
send builds the frame again, passes several wrappers, and wakes one task per
client; at 1,000 clients that cost more than the socket writes themselves
(docs/performance.md). A server that can do better offers each connection as a
`FrameSink` in `scope["extensions"][FRAME_SINK]`: the board encodes a frame once and
writes the bytes to every sink, without a task switch. Under a server that offers
nothing the board falls back to ordinary `websocket.send` messages.

This module is the contract, and how uvicorn is told to honour it; it imports nothing
from uvicorn, so the board, the CLI and the tests import it under any server. uvicorn's
side, `uvicorn_frame_sink.FrameSinkWebSocketProtocol`, subclasses a private uvicorn
module; uvicorn alone imports it, from `PROTOCOL_PATH`, when it starts serving.
"""

from __future__ import annotations

import importlib
import logging
from collections.abc import Mapping
from typing import Any, Protocol, runtime_checkable

from websockets.frames import Frame, Opcode

logger = logging.getLogger(__name__)

FRAME_SINK = "wicc.websocket.frame_sink"
# uvicorn's `ws` option (and `uvicorn --ws ...` in the container entrypoint). A string,
# so that the private module behind it is imported by uvicorn, and only when it serves.
PROTOCOL_PATH = "wicc_flow.board.uvicorn_frame_sink:FrameSinkWebSocketProtocol"
# The largest message a board client may send. The board ignores what clients send,
# so this only bounds what the server would buffer for them (uvicorn's default, 16 MiB
# per connection, let four viewers add 138 MB); a larger frame closes the connection
# with 1009 as soon as its header arrives. Pings and pongs are far smaller.
MAX_CLIENT_MESSAGE_BYTES = 4096
# How every WICC process runs uvicorn's WebSockets. No per-message compression: it
# would deflate every frame once per client, where the board encodes it once for all.
UVICORN_WEBSOCKET_OPTIONS: dict[str, object] = {
    "ws": PROTOCOL_PATH,
    "ws_per_message_deflate": False,
    "ws_max_size": MAX_CLIENT_MESSAGE_BYTES,
}
# uvicorn's own choice of protocol, for when ours cannot be loaded: boards are then
# served through plain ASGI sends, slower with many boards but correct.
UVICORN_FALLBACK_OPTIONS: dict[str, object] = {
    "ws": "auto",
    "ws_per_message_deflate": False,
    "ws_max_size": MAX_CLIENT_MESSAGE_BYTES,
}


@runtime_checkable
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


def frame_sink(scope: Mapping[str, Any]) -> FrameSink | None:
    """The connection's `FrameSink`, when the server offers one.

    Checked by shape, not by class: whatever offers the three methods is a sink, and
    nothing here has to import the server that made it.
    """
    extensions = scope.get("extensions")
    if not isinstance(extensions, dict):
        return None
    offer = extensions.get(FRAME_SINK)
    sink = offer.get("sink") if isinstance(offer, dict) else None
    return sink if isinstance(sink, FrameSink) else None


def uvicorn_websocket_options(protocol_path: str = PROTOCOL_PATH) -> dict[str, object]:
    """uvicorn's WebSocket options for `wicc run`: the frame sink's protocol when it
    loads, else uvicorn's own (a uvicorn release that moved its private module must
    not stop WICC from serving boards; they are served the slower way instead)."""
    module, _, name = protocol_path.partition(":")
    try:
        getattr(importlib.import_module(module), name)
    except Exception:  # ImportError, AttributeError, or whatever a changed uvicorn raises
        logger.warning(
            "board frames cannot go straight to the socket (%s does not load); "
            "serving boards through plain ASGI sends",
            protocol_path,
            exc_info=True,
        )
        return dict(UVICORN_FALLBACK_OPTIONS)
    return {**UVICORN_WEBSOCKET_OPTIONS, "ws": protocol_path}
