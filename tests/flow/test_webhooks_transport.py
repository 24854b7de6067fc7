"""The delivery transport against a real HTTP receiver on 127.0.0.1.

Host names here end in `.test` (reserved, never in DNS) and are resolved by a table in
the test, so the only connections ever opened are to loopback.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from datetime import UTC, datetime

import pytest
import trustme
import uvloop
from standardwebhooks.webhooks import Webhook

from wicc_flow.webhooks.http11 import Connection, WebhookClient
from wicc_flow.webhooks.schedule import TransportFailure
from wicc_flow.webhooks.signing import new_secret, sign
from wicc_flow.webhooks.ssrf import Resolver, UrlPolicy, resolve_target
from wicc_flow.webhooks.transport import (
    EXCERPT_BYTES,
    USER_AGENT,
    Attempt,
    deliver,
    system_resolver,
    webhook_client,
)

DEVELOPMENT = UrlPolicy(allow_private=True, require_https=False)
NO_PRIVATE = UrlPolicy(allow_private=False, require_https=False)
BODY = b'{"type":"opel.changed","data":{"org":"RNZ","level":3}}'


@dataclass
class Request:
    line: str
    headers: dict[str, str]
    body: bytes


@dataclass
class Receiver:
    """A minimal HTTP/1.1 server: records each request and answers with `response`."""

    response: bytes = b"HTTP/1.1 204 No Content\r\ncontent-length: 0\r\n\r\n"
    hang: bool = False
    requests: list[Request] = field(default_factory=list)
    connections: int = 0
    server_names: list[str | None] = field(default_factory=list)
    port: int = 0

    async def handle(self, reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        self.connections += 1
        try:
            while request := await _read_request(reader):
                self.requests.append(request)
                if self.hang:
                    await asyncio.sleep(3600)
                writer.write(self.response)
                await writer.drain()
        except (ConnectionError, asyncio.IncompleteReadError, ssl.SSLError):
            pass
        finally:
            writer.close()


async def _read_request(reader: asyncio.StreamReader) -> Request | None:
    try:
        head = await reader.readuntil(b"\r\n\r\n")
    except asyncio.IncompleteReadError:
        return None
    line, *lines = head.decode("latin-1").rstrip("\r\n").split("\r\n")
    headers = {k.strip().lower(): v.strip() for k, v in (h.split(":", 1) for h in lines)}
    body = await reader.readexactly(int(headers.get("content-length", "0")))
    return Request(line, headers, body)


async def _serve(receiver: Receiver, tls: ssl.SSLContext | None = None) -> asyncio.Server:
    server = await asyncio.start_server(receiver.handle, "127.0.0.1", 0, ssl=tls)
    receiver.port = server.sockets[0].getsockname()[1]
    return server


@pytest.fixture
async def receiver() -> AsyncIterator[Receiver]:
    receiver = Receiver()
    server = await _serve(receiver)
    yield receiver
    server.close()


def _table(answers: dict[str, Sequence[str]]) -> Resolver:
    async def resolve(host: str) -> Sequence[str]:
        if host not in answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return answers[host]

    return resolve


LOOPBACK = _table({"receiver.test": ["127.0.0.1"], "other.test": ["127.0.0.1"]})


async def _deliver_to(receiver: Receiver, *, times: int = 1) -> list[Attempt]:
    """`times` deliveries to the receiver, over one client."""
    async with webhook_client() as client:
        url = f"http://receiver.test:{receiver.port}/"
        return [await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, {}) for _ in range(times)]


async def test_a_signed_delivery_reaches_the_receiver_under_its_host_name(
    receiver: Receiver,
) -> None:
    secret = new_secret()
    headers = sign([secret], "evt-1", datetime.now(UTC), BODY)
    url = f"http://receiver.test:{receiver.port}/hooks?trust=rnz"
    async with webhook_client() as client:
        attempt = await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, headers)
    assert (attempt.status_code, attempt.failure) == (204, None)
    assert attempt.latency_ms > 0
    [request] = receiver.requests
    assert request.line == "POST /hooks?trust=rnz HTTP/1.1"
    assert request.headers["host"] == f"receiver.test:{receiver.port}"
    assert request.headers["content-type"] == "application/json"
    assert request.headers["user-agent"] == USER_AGENT
    Webhook(secret.reveal()).verify(request.body, request.headers)


async def test_the_status_retry_after_and_a_bounded_excerpt_come_back(receiver: Receiver) -> None:
    body = b"x" * (EXCERPT_BYTES * 50)
    receiver.response = (
        b"HTTP/1.1 503 Service Unavailable\r\nretry-after: 120\r\n"
        b"content-length: %d\r\n\r\n%s" % (len(body), body)
    )
    async with webhook_client() as client:
        url = f"http://receiver.test:{receiver.port}/"
        attempt = await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, {})
    assert attempt.status_code == 503
    assert attempt.retry_after == "120"
    assert attempt.excerpt == "x" * EXCERPT_BYTES


async def test_a_redirect_is_not_followed(receiver: Receiver) -> None:
    receiver.response = (
        b"HTTP/1.1 302 Found\r\nlocation: http://other.test/elsewhere\r\ncontent-length: 0\r\n\r\n"
    )
    [attempt] = await _deliver_to(receiver)
    assert attempt.status_code == 302
    assert len(receiver.requests) == 1


async def test_an_internal_address_is_refused_before_connecting(receiver: Receiver) -> None:
    async with webhook_client() as client:
        url = f"http://receiver.test:{receiver.port}/"
        attempt = await deliver(client, url, NO_PRIVATE, LOOPBACK, BODY, {})
        unknown = f"http://unknown.test:{receiver.port}/"
        unresolved = await deliver(client, unknown, DEVELOPMENT, LOOPBACK, BODY, {})
    assert attempt.failure is TransportFailure.BLOCKED
    assert "127.0.0.1" in attempt.excerpt
    assert unresolved.failure is TransportFailure.UNRESOLVABLE
    assert receiver.connections == 0


async def test_the_client_connects_only_to_the_checked_addresses(receiver: Receiver) -> None:
    # 127.0.0.2 is loopback too, but the receiver listens on 127.0.0.1 only: were the
    # client to resolve the name again (or connect to anything else), it would get there.
    resolve = _table({"receiver.test": ["127.0.0.2"]})
    async with webhook_client() as client:
        url = f"http://receiver.test:{receiver.port}/"
        attempt = await deliver(client, url, DEVELOPMENT, resolve, BODY, {})
    assert attempt.failure is TransportFailure.CONNECT
    assert receiver.connections == 0


async def test_the_next_address_is_tried_when_one_refuses(receiver: Receiver) -> None:
    # 127.0.0.2 is loopback too, but the receiver listens on 127.0.0.1 only.
    resolve = _table({"receiver.test": ["127.0.0.2", "127.0.0.1"]})
    async with webhook_client() as client:
        url = f"http://receiver.test:{receiver.port}/"
        attempt = await deliver(client, url, DEVELOPMENT, resolve, BODY, {})
    assert attempt.status_code == 204


async def test_connections_are_kept_alive_per_host_name_never_shared(receiver: Receiver) -> None:
    async with webhook_client() as client:
        for host in ("receiver.test", "receiver.test", "other.test", "other.test"):
            url = f"http://{host}:{receiver.port}/"
            attempt = await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, {})
            assert attempt.status_code == 204
    assert len(receiver.requests) == 4
    assert receiver.connections == 2  # one per host name, though both are 127.0.0.1


async def test_a_hanging_receiver_times_out(receiver: Receiver) -> None:
    receiver.hang = True
    async with webhook_client() as client:
        url = f"http://receiver.test:{receiver.port}/"
        attempt = await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, {}, time_limit=0.3)
    assert attempt.failure is TransportFailure.TIMEOUT
    assert attempt.latency_ms >= 300


async def test_a_refused_connection_is_a_connect_failure() -> None:
    with socket.socket() as probe:  # a port that nothing listens on
        probe.bind(("127.0.0.1", 0))
        port = probe.getsockname()[1]
    async with webhook_client() as client:
        url = f"http://receiver.test:{port}/"
        attempt = await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, {})
    assert attempt.failure is TransportFailure.CONNECT


async def test_an_answer_that_is_not_http_is_a_protocol_failure(receiver: Receiver) -> None:
    receiver.response = b"NOT HTTP AT ALL\r\n\r\n"
    async with webhook_client() as client:
        url = f"http://receiver.test:{receiver.port}/"
        attempt = await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, {})
    assert attempt.failure is TransportFailure.PROTOCOL


@pytest.fixture(scope="module")
def authority() -> trustme.CA:
    return trustme.CA()


async def _tls_receiver(authority: trustme.CA) -> tuple[Receiver, asyncio.Server]:
    receiver = Receiver()
    context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
    authority.issue_cert("receiver.test").configure_cert(context)

    def record_server_name(_: object, name: str | None, __: object) -> None:
        receiver.server_names.append(name)

    context.sni_callback = record_server_name
    return receiver, await _serve(receiver, context)


def _trusting(authority: trustme.CA) -> ssl.SSLContext:
    context = ssl.create_default_context()
    authority.configure_trust(context)
    return context


async def test_tls_uses_the_host_name_for_sni_and_the_certificate(authority: trustme.CA) -> None:
    receiver, server = await _tls_receiver(authority)
    try:
        async with webhook_client(verify=_trusting(authority)) as client:
            url = f"https://receiver.test:{receiver.port}/hooks"
            attempt = await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, {})
    finally:
        server.close()
    assert attempt.status_code == 204
    assert receiver.server_names == ["receiver.test"]
    assert receiver.requests[0].headers["host"] == f"receiver.test:{receiver.port}"


async def test_a_certificate_for_another_name_fails_although_the_address_matches(
    authority: trustme.CA,
) -> None:
    receiver, server = await _tls_receiver(authority)
    try:
        async with webhook_client(verify=_trusting(authority)) as client:
            url = f"https://other.test:{receiver.port}/hooks"
            attempt = await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, {})
    finally:
        server.close()
    assert attempt.failure is TransportFailure.TLS
    assert receiver.requests == []


def test_a_delivery_under_uvloop() -> None:
    # WICC runs on uvloop, whose transports differ from asyncio's in small ways.
    async def one() -> tuple[int | None, int]:
        receiver = Receiver()
        server = await _serve(receiver)
        try:
            async with webhook_client() as client:
                url = f"http://receiver.test:{receiver.port}/"
                for _ in range(2):
                    attempt = await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, {})
        finally:
            server.close()
        return attempt.status_code, receiver.connections

    assert uvloop.run(one()) == (204, 1)


async def test_the_system_resolver_returns_addresses_as_text() -> None:
    # A numeric host: getaddrinfo answers without any DNS lookup.
    assert await system_resolver("127.0.0.1") == ["127.0.0.1"]


@dataclass
class Recorder:
    """An opener that records where it is asked to connect, and connects nowhere."""

    asked: list[tuple[str, int, str | None]] = field(default_factory=list)

    async def __call__(
        self, address: str, port: int, tls: ssl.SSLContext | None, server_name: str | None
    ) -> Connection:
        self.asked.append((address, port, server_name))
        raise ConnectionRefusedError(f"{address}:{port} refused")


async def test_connections_go_to_the_checked_addresses_never_the_written_host() -> None:
    target = await resolve_target("https://[2606:4700:0:0::1111]:8443/", NO_PRIVATE, LOOPBACK)
    recorder = Recorder()
    with pytest.raises(ConnectionRefusedError):
        await WebhookClient(opener=recorder).post(target, BODY, {})
    assert recorder.asked == [("2606:4700::1111", 8443, "2606:4700::1111")]

    named = await resolve_target("http://RECEIVER.test:8080/", DEVELOPMENT, LOOPBACK)
    with pytest.raises(ConnectionRefusedError):
        await WebhookClient(opener=recorder).post(named, BODY, {})
    assert recorder.asked[1:] == [("127.0.0.1", 8080, None)]  # no TLS, no server name


async def test_tls_names_the_host_while_connecting_to_its_checked_address() -> None:
    resolve = _table({"receiver.test": ["127.0.0.2", "127.0.0.3"]})
    target = await resolve_target("https://receiver.test/hooks", DEVELOPMENT, resolve)
    recorder = Recorder()
    with pytest.raises(ConnectionRefusedError):
        await WebhookClient(opener=recorder).post(target, BODY, {})
    assert recorder.asked == [
        ("127.0.0.2", 443, "receiver.test"),
        ("127.0.0.3", 443, "receiver.test"),
    ]


async def test_a_chunked_answer_is_read_and_its_connection_kept(receiver: Receiver) -> None:
    receiver.response = (
        b"HTTP/1.1 200 OK\r\ntransfer-encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n"
    )
    first, second = await _deliver_to(receiver, times=2)
    assert (first.status_code, first.excerpt) == (200, "abcde")
    assert second.status_code == 200
    assert receiver.connections == 1


async def test_an_answer_closed_before_its_status_is_a_connect_failure() -> None:
    async def close_at_once(reader: asyncio.StreamReader, writer: asyncio.StreamWriter) -> None:
        await _read_request(reader)  # reads the request, then closes without a word
        writer.close()

    server = await asyncio.start_server(close_at_once, "127.0.0.1", 0)
    port = server.sockets[0].getsockname()[1]
    try:
        async with webhook_client() as client:
            url = f"http://receiver.test:{port}/"
            attempt = await deliver(client, url, DEVELOPMENT, LOOPBACK, BODY, {})
    finally:
        server.close()
    assert attempt.failure is TransportFailure.CONNECT
