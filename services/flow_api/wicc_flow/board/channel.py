"""The board's WebSocket as a channel of the AsyncAPI document.

One message per board event type (the frame wrapping its envelope) comes from
`BOARD_EVENTS`, so an event type added to the board is described with it.
"""

from __future__ import annotations

from typing import Any

from wicc_flow.board.projection import BOARD_EVENTS
from wicc_flow.board.schemas import SnapshotFrame
from wicc_shared.catalogue import EventType
from wicc_shared.catalogue.asyncapi import SCHEMAS, Channel, Json, envelope_ref

ADDRESS = "/flow/v1/board/ws"

DESCRIPTION = """\
The live board: a snapshot, then one frame per change. Frames are JSON text, server to
client; each has `kind` and `seq`. `seq` increases strictly but skips numbers (the
event log also holds events the board does not show): keep the `seq` of the last frame
processed. Messages from the client are ignored. Clients should ignore event types they
do not know.

On connect the first frame is a snapshot, or, with `since` within the hub's recent
history, exactly the event frames after `since` (none until the next change if nothing
was missed). A client must always accept a snapshot as its first frame.

A client that falls behind is closed with code 1013 (Try Again Later) and the reason
`too slow (...); reconnect with since=<seq>`; reconnect with `since` = the `seq` of the
last frame processed, after any other disconnect too (with a short back-off).

The handshake is refused with an `application/problem+json` response (no WebSocket
opened): 401 without a valid key, 422 for an invalid `since`, 503 while the board is
starting."""

QUERY: Json = {
    "type": "object",
    "properties": {
        "since": {
            "type": "string",
            "pattern": "^[0-9]{1,19}$",
            "description": "The `seq` of the last frame processed: resume after it",
        },
        "token": {
            "type": "string",
            "description": "An API key, for clients that cannot send headers (browsers)",
        },
    },
}
HEADERS: Json = {
    "type": "object",
    "properties": {
        "Authorization": {"type": "string", "description": "`Bearer <API key>`"},
    },
}
SECURITY: dict[str, Json] = {
    "apiKey": {
        "type": "http",
        "scheme": "bearer",
        "description": "A WICC API key (any role): `Authorization: Bearer <key>`",
    },
    "apiKeyInQuery": {
        "type": "httpApiKey",
        "name": "token",
        "in": "query",
        "description": "The same key as `?token=<key>`, for browsers",
    },
}


SNAPSHOT: Json = {
    "name": "snapshot",
    "title": "Snapshot frame",
    "summary": "The whole board: replaces the client's picture",
    "contentType": "application/json",
    "payload": {"$ref": SCHEMAS + SnapshotFrame.__name__},
}


def board_channel() -> Channel:
    return Channel(
        key="board",
        address=ADDRESS,
        title="Live board",
        description=DESCRIPTION,
        events=BOARD_EVENTS,
        event_message=event_frame,
        messages={"snapshot": SNAPSHOT},
        models=[SnapshotFrame],
        bindings={
            "ws": {"method": "GET", "query": QUERY, "headers": HEADERS, "bindingVersion": "0.1.0"}
        },
        servers=["wicc"],
        security=SECURITY,
        operation_summary="Receive the live board: a snapshot, then a frame per change",
    )


def event_frame(event_type: EventType[Any]) -> Json:
    """The frame carrying one event of `event_type`, its envelope whole."""
    return {
        "name": event_type.name,
        "title": f"Event frame: {event_type.name}",
        "summary": event_type.summary,
        "contentType": "application/json",
        "payload": {
            "type": "object",
            "required": ["kind", "seq", "event"],
            "additionalProperties": False,
            "properties": {
                "kind": {"const": "event"},
                "seq": {"type": "integer", "minimum": 0},
                # On the board an event always has its place in the log.
                "event": {
                    "allOf": [envelope_ref(event_type)],
                    "properties": {"seq": {"type": "integer", "minimum": 0}},
                    "required": ["seq"],
                },
            },
        },
        "correlationId": {
            "description": "The correlation id of the request that caused the event",
            "location": "$message.payload#/event/correlationid",
        },
    }
