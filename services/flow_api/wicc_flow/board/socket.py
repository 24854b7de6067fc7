"""Serving one board WebSocket: register it with the hub, wait until it ends."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from wicc_flow.board.clients import BoardClient, QueuedClient, SocketClient
from wicc_flow.board.frame_sink import frame_sink
from wicc_flow.board.hub import BoardHub
from wicc_shared.metrics import BOARD_CONNECTIONS, BOARD_CONNECTIONS_OPEN
from wicc_shared.middleware import RAW_WEBSOCKET_SEND

TRY_AGAIN_LATER = 1013  # RFC 6455: the client should reconnect (with `since`)
CLOSE_TIMEOUT_SECONDS = 1.0


def board_client(ws: WebSocket, max_waiting: int) -> BoardClient:
    """Frames straight to the socket when the server allows it, else ASGI sends."""
    sink = frame_sink(ws.scope)
    if sink is not None:
        return SocketClient(sink, max_waiting)
    send: Send = ws.scope.get(RAW_WEBSOCKET_SEND, ws.send)
    return QueuedClient(send, max_waiting)


async def serve_board(
    ws: WebSocket, hub: BoardHub, since: int | None, *, send_timeout: float
) -> None:
    client = hub.connect(board_client(ws, hub.client_queue), since)
    BOARD_CONNECTIONS.labels(path=client.path).inc()
    open_connections = BOARD_CONNECTIONS_OPEN.labels(path=client.path)
    open_connections.inc()
    try:
        await _serve(ws, hub, client, send_timeout)
    finally:
        open_connections.dec()


async def _serve(ws: WebSocket, hub: BoardHub, client: BoardClient, send_timeout: float) -> None:
    client.start()
    listener = asyncio.create_task(_until_closed(ws))
    try:
        await asyncio.wait({client.done, listener}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        listener.cancel()
        if client.failed:
            hub.drop(client, "send_failed")
        client.stop()
        hub.disconnect(client)
    if client.dropped:
        await _close_slow(ws, client, send_timeout)


async def _close_slow(ws: WebSocket, client: BoardClient, send_timeout: float) -> None:
    # The client's own position, not the hub's: resuming from the hub's would skip
    # frames that were queued for this client but never sent.
    resume = f"since={client.delivered_seq}" if client.delivered_seq is not None else "no since"
    reason = f"too slow ({client.dropped}); reconnect with {resume}"
    sent = False
    with contextlib.suppress(Exception):
        async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
            await ws.close(code=TRY_AGAIN_LATER, reason=reason[:120])
            sent = True
    # A client that takes its close frame gets one send timeout to read it; one that
    # cannot even take that is cut off now. Either way a peer that never reads again
    # holds no socket and no buffer here.
    client.abandon(after_seconds=send_timeout if sent else 0.0)


async def _until_closed(ws: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
