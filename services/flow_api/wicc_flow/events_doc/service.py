"""The AsyncAPI document this deployment serves: the catalogue, the board's channel and
the webhooks' channel."""

from __future__ import annotations

from functools import cache

from wicc_flow.board.channel import board_channel
from wicc_flow.webhooks.channel import webhooks_channel
from wicc_shared.catalogue import CATALOGUE
from wicc_shared.catalogue.asyncapi import Json, asyncapi_document, wicc_server


def asyncapi(host: str, *, secure: bool) -> Json:
    """The document with WICC's server at `host`, over `wss` when reached over TLS."""
    server = wicc_server(host, protocol="wss" if secure else "ws")
    return {**_document(), "servers": {"wicc": server}}


@cache
def _document() -> Json:
    # Generating the schemas takes ~10 ms and the endpoint needs no key, so the
    # document is built once per process; only its server differs per request.
    placeholder = wicc_server("127.0.0.1:8000", protocol="ws")
    channels = [board_channel(), webhooks_channel()]
    return asyncapi_document(CATALOGUE, channels, servers={"wicc": placeholder})
