"""A small HTTP/1.1 client for deliveries: one POST, then its status, its `Retry-After`
and the first kilobyte of its body, over kept-alive connections.

Why not httpx: with httpcore and anyio beneath it, httpx spent about 1.3 ms of CPU per
callback, most of the dispatcher's time (see docs/performance.md, "Webhook
deliveries"). A delivery needs little of it: no redirects (a 3xx is an answer like any
other), no proxies, no cookies, no compression. The answer is parsed by httptools (the
C parser uvicorn uses), so framing (lengths, chunks, keep-alive) is not hand-written.

It connects only to the addresses of a checked `DeliveryTarget` and never resolves a
name, so DNS cannot answer one way for the check and another for the connection. The
request still names the URL's host (`Host`, TLS server name and certificate check), and
connections are kept per (scheme, host name, port): a connection opened for one host
name is never reused for another that happens to share its address.
"""

from __future__ import annotations

import asyncio
import ssl
import time
from collections.abc import Awaitable, Callable, Mapping
from dataclasses import dataclass
from typing import cast
from urllib.parse import urlsplit

import httptools
import httpx

from wicc_flow.webhooks.ssrf import DEFAULT_PORTS, DeliveryTarget

EXCERPT_BYTES = 1024
USER_AGENT = "WICC-Webhooks/1"
DEFAULT_MAX_CONNECTIONS = 10
# A receiver may close an idle connection at any moment; a short keep-alive makes it
# unlikely that a callback is written into one it has just closed (httpx's default).
KEEPALIVE_SECONDS = 5.0


class ProtocolFailure(Exception):
    """The receiver's answer is not HTTP/1.1 this client can read."""


@dataclass(frozen=True)
class Response:
    status_code: int
    retry_after: str | None
    excerpt: bytes  # at most EXCERPT_BYTES of the body


class Connection(asyncio.Protocol):
    """One connection, one request at a time; its answer is read as it arrives."""

    def __init__(self) -> None:
        self.transport: asyncio.Transport | None = None
        self.closed = False
        self.idle_since = time.monotonic()
        self._parser = httptools.HttpResponseParser(self)
        self._answer: asyncio.Future[Response] | None = None
        self._status: int | None = None
        self._retry_after: str | None = None
        self._excerpt = bytearray()
        self._keep = False

    def connection_made(self, transport: asyncio.BaseTransport) -> None:
        # uvloop's transports are not subclasses of asyncio.Transport, only alike.
        self.transport = cast(asyncio.Transport, transport)

    def data_received(self, data: bytes) -> None:
        if self._answer is None or self._answer.done():
            self.close()  # an answer nobody asked for: this connection cannot be trusted
            return
        try:
            self._parser.feed_data(data)
        except httptools.HttpParserError as exc:
            self._fail(ProtocolFailure(f"not an HTTP/1.1 answer: {exc}"))

    def connection_lost(self, exc: Exception | None) -> None:
        self.closed = True
        if self._answer is not None and not self._answer.done():
            if self._status is not None:  # a body that ends with the connection
                self._answer.set_result(self._response())
            else:
                self._answer.set_exception(ConnectionResetError("closed before answering"))

    # httptools' callbacks

    def on_header(self, name: bytes, value: bytes) -> None:
        if name.lower() == b"retry-after":
            self._retry_after = value.decode("latin-1").strip()

    def on_headers_complete(self) -> None:
        self._status = self._parser.get_status_code()

    def on_body(self, body: bytes) -> None:
        self._excerpt += body[: EXCERPT_BYTES - len(self._excerpt)]
        if len(self._excerpt) >= EXCERPT_BYTES:
            # No more is read: a receiver cannot make WICC download a large body.
            self._finish(keep=False)

    def on_message_complete(self) -> None:
        self._finish(keep=self._parser.should_keep_alive())

    # the client's side

    @property
    def reusable(self) -> bool:
        return self._keep and not self.closed

    async def exchange(self, request: bytes) -> Response:
        assert self.transport is not None
        self._answer = asyncio.get_running_loop().create_future()
        self._status, self._retry_after, self._keep = None, None, False
        self._excerpt = bytearray()
        self.transport.write(request)
        return await self._answer

    def close(self) -> None:
        self.closed = True
        if self.transport is not None:
            self.transport.abort()

    def _response(self) -> Response:
        assert self._status is not None
        return Response(self._status, self._retry_after, bytes(self._excerpt))

    def _finish(self, *, keep: bool) -> None:
        if self._answer is not None and not self._answer.done():
            self._keep = keep
            self._answer.set_result(self._response())
        if not keep:
            self.close()

    def _fail(self, exc: Exception) -> None:
        if self._answer is not None and not self._answer.done():
            self._answer.set_exception(exc)
        self.close()


# (address, port, TLS context or None, TLS server name or None) -> an open connection
Opener = Callable[[str, int, ssl.SSLContext | None, str | None], Awaitable[Connection]]


async def open_connection(
    address: str, port: int, tls: ssl.SSLContext | None, server_name: str | None
) -> Connection:
    """Connect to an address (never a name: nothing is resolved here)."""
    _, connection = await asyncio.get_running_loop().create_connection(
        Connection, host=address, port=port, ssl=tls, server_hostname=server_name
    )
    return connection


class WebhookClient:
    """One endpoint's connections: at most `max_connections` requests at a time, so a
    hanging receiver holds only its own endpoint's connections."""

    def __init__(
        self,
        *,
        max_connections: int = DEFAULT_MAX_CONNECTIONS,
        verify: ssl.SSLContext | bool = True,
        opener: Opener = open_connection,
    ) -> None:
        self._slots = asyncio.Semaphore(max_connections)
        self._max_idle = max_connections
        self._verify = verify
        self._tls: ssl.SSLContext | None = None
        self._open = opener
        self._idle: dict[tuple[str, str, int], list[Connection]] = {}

    async def post(
        self, target: DeliveryTarget, body: bytes, headers: Mapping[str, str]
    ) -> Response:
        """POST `body` to the target's URL, at one of its checked addresses.

        Raises ssl.SSLError (TLS), OSError (connecting, or the connection lost) and
        ProtocolFailure; the caller bounds the time it takes.
        """
        request = _request(target, body, headers)
        async with self._slots:
            key = (target.url.scheme, target.url.host, target.url.port)
            connection = self._take_idle(key) or await self._connect(target)
            answered = False
            try:
                response = await connection.exchange(request)
                answered = True
            finally:
                # Cancelled (timed out) or failed mid-answer: never reused.
                if answered and connection.reusable:
                    self._keep_idle(key, connection)
                else:
                    connection.close()
        return response

    async def aclose(self) -> None:
        idle, self._idle = self._idle, {}
        for connections in idle.values():
            for connection in connections:
                connection.close()

    async def __aenter__(self) -> WebhookClient:
        return self

    async def __aexit__(self, *_: object) -> None:
        await self.aclose()

    def _take_idle(self, key: tuple[str, str, int]) -> Connection | None:
        pool = self._idle.get(key, [])
        now = time.monotonic()
        while pool:
            connection = pool.pop()
            if not connection.closed and now - connection.idle_since < KEEPALIVE_SECONDS:
                return connection
            connection.close()
        return None

    def _keep_idle(self, key: tuple[str, str, int], connection: Connection) -> None:
        pool = self._idle.setdefault(key, [])
        if sum(len(p) for p in self._idle.values()) >= self._max_idle:
            connection.close()
            return
        connection.idle_since = time.monotonic()
        pool.append(connection)

    async def _connect(self, target: DeliveryTarget) -> Connection:
        """The addresses in the resolver's order; the next one only when a connection
        is refused or unreachable (a TLS failure would be the same at the next)."""
        https = target.url.scheme == "https"
        tls = self._tls_context() if https else None
        name = target.url.host if target.url.literal is None else str(target.url.literal)
        server_name = name if https else None
        last: OSError | None = None
        for address in target.addresses:
            try:
                return await self._open(str(address), target.url.port, tls, server_name)
            except ssl.SSLError:
                raise
            except OSError as exc:
                last = exc
        raise last or ConnectionRefusedError(f"{target.url.host} has no checked address")

    def _tls_context(self) -> ssl.SSLContext:
        if self._tls is None:
            # httpx's context, as before: the same certificate authorities (certifi's).
            self._tls = httpx.create_ssl_context(verify=self._verify, trust_env=False)
        return self._tls


def _request(target: DeliveryTarget, body: bytes, headers: Mapping[str, str]) -> bytes:
    url = target.url
    parts = urlsplit(url.url)
    path = (parts.path or "/") + (f"?{parts.query}" if parts.query else "")
    host = f"[{url.host}]" if ":" in url.host else url.host
    if url.port != DEFAULT_PORTS[url.scheme]:
        host = f"{host}:{url.port}"
    fields = {
        "host": host,
        "user-agent": USER_AGENT,
        "content-type": "application/json",
        "accept-encoding": "identity",  # the excerpt is read raw, never decompressed
        **{name.lower(): value for name, value in headers.items()},
        "content-length": str(len(body)),
    }
    if any(_unsafe(text) for text in (path, *fields.values())):
        # The URL was checked and the headers are WICC's own: this is a bug, not input.
        raise ValueError("a header or the request target holds a line break")
    lines = [f"POST {path} HTTP/1.1", *(f"{k}: {v}" for k, v in fields.items())]
    return ("\r\n".join(lines) + "\r\n\r\n").encode("latin-1") + body


def _unsafe(text: str) -> bool:
    return "\r" in text or "\n" in text or "\0" in text
