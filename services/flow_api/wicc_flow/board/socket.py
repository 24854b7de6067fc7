"""Serving one board WebSocket: a sender task draining the client's queue."""

from __future__ import annotations

import asyncio
import contextlib

from starlette.types import Send
from starlette.websockets import WebSocket, WebSocketDisconnect

from wicc_flow.board.hub import BoardClient, BoardHub
from wicc_shared.middleware import RAW_WEBSOCKET_SEND

TRY_AGAIN_LATER = 1013  # RFC 6455: the client should reconnect (with `since`)
CLOSE_TIMEOUT_SECONDS = 1.0


async def serve_board(ws: WebSocket, hub: BoardHub, since: int | None) -> None:
    client = hub.connect(since)
    client.sender = asyncio.create_task(_pump(ws, client))
    listener = asyncio.create_task(_until_closed(ws))
    try:
        await asyncio.wait({client.sender, listener}, return_when=asyncio.FIRST_COMPLETED)
    finally:
        for task in (client.sender, listener):
            task.cancel()
        if client.sender.done() and not client.sender.cancelled() and client.sender.exception():
            hub.drop(client, "send_failed")
        hub.disconnect(client)
    if client.dropped:
        # The client's own position, not the hub's: resuming from the hub's would skip
        # frames that were queued for this client but never sent.
        resume = f"since={client.delivered_seq}" if client.delivered_seq is not None else "no since"
        reason = f"too slow ({client.dropped}); reconnect with {resume}"
        with contextlib.suppress(Exception):
            async with asyncio.timeout(CLOSE_TIMEOUT_SECONDS):
                await ws.close(code=TRY_AGAIN_LATER, reason=reason[:120])


async def _pump(ws: WebSocket, client: BoardClient) -> None:
    # No timer per send: arming and cancelling one for each of 1,000 clients per
    # event cost more than the send itself. The hub's stall watch drops a client
    # whose send has not finished in time (`BoardHub.watch_stalls`).
    loop = asyncio.get_running_loop()
    send: Send = ws.scope.get(RAW_WEBSOCKET_SEND, ws.send)
    while True:
        seq, frame = await client.queue.get()
        client.sending_since = loop.time()
        await send({"type": "websocket.send", "text": frame})
        client.sending_since = None
        client.delivered_seq = seq


async def _until_closed(ws: WebSocket) -> None:
    with contextlib.suppress(WebSocketDisconnect):
        while True:
            message = await ws.receive()
            if message["type"] == "websocket.disconnect":
                return
