"""The board ignores what clients send, so it never buffers much of it: a client message
over 4 KiB closes the connection with 1009 as soon as its frame header arrives (four
viewers sending one large frame each once added 138 MB to the server)."""

from __future__ import annotations

import asyncio
import os
import struct

import pytest
from websockets.exceptions import ConnectionClosed

from tests.support import Wicc, next_frame
from wicc_flow.board.frame_sink import MAX_CLIENT_MESSAGE_BYTES

MESSAGE_TOO_BIG = 1009
DECLARED = 16 * 1024 * 1024  # uvicorn's default limit, which the server used to buffer


def masked_text_frame_header(length: int) -> bytes:
    """The head of a client text frame of `length` bytes (clients must mask, RFC 6455)."""
    return bytes([0x81, 0x80 | 127]) + struct.pack("!Q", length) + os.urandom(4)


async def test_a_big_client_frame_closes_the_board_before_it_is_received(wicc: Wicc) -> None:
    async with wicc.board() as ws:
        assert (await next_frame(ws))["kind"] == "snapshot"
        # Only the header and 1 KiB of the 16 MiB it announces: the server cannot have
        # buffered more than was sent when it closes.
        ws.transport.write(masked_text_frame_header(DECLARED) + b"x" * 1024)
        with pytest.raises(ConnectionClosed) as closed:
            await asyncio.wait_for(ws.recv(), timeout=10)
    assert closed.value.rcvd is not None
    assert closed.value.rcvd.code == MESSAGE_TOO_BIG


async def test_small_client_messages_are_ignored(wicc: Wicc) -> None:
    async with wicc.board() as ws:
        assert (await next_frame(ws))["kind"] == "snapshot"
        await ws.send("x" * MAX_CLIENT_MESSAGE_BYTES)
        assert (await wicc.put_beds("RNZ-AMU")).status_code == 200
        assert (await next_frame(ws))["kind"] == "event"
