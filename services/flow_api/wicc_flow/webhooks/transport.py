"""The HTTP side of a delivery: connect only to the addresses the SSRF check approved.

A check followed by an ordinary request would let DNS answer twice, a public address for
the check and an internal one for the connection (DNS rebinding). So the client made
here never resolves names: its network backend connects to the addresses of the
`DeliveryTarget` pinned for the current task, and refuses to connect anywhere when
nothing is pinned. The request itself still goes to the URL's host name, so the `Host`
header, the TLS server name (SNI) and the certificate check are all for that name, and
the connection pool is keyed by it: a connection opened for one host name is never
reused for another that happens to share its address.

(The alternative, rewriting the URL to the address and passing httpcore's
`sni_hostname` extension, keys the pool by address and would let two endpoints behind
one address share a TLS session made for only one of them.)
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable, Iterable, Iterator, Mapping
from contextlib import contextmanager
from contextvars import ContextVar
from dataclasses import dataclass
from ipaddress import ip_address

import httpcore
import httpx

from wicc_flow.webhooks.schedule import TransportFailure
from wicc_flow.webhooks.ssrf import (
    DeliveryTarget,
    Refusal,
    Resolver,
    UrlPolicy,
    UrlRefused,
    resolve_target,
)

DELIVERY_TIMEOUT_SECONDS = 15.0
EXCERPT_BYTES = 1024
USER_AGENT = "WICC-Webhooks/1"
DEFAULT_MAX_CONNECTIONS = 10

_pinned: ContextVar[DeliveryTarget | None] = ContextVar("wicc_webhook_target", default=None)
SocketOption = (
    tuple[int, int, int] | tuple[int, int, bytes | bytearray] | tuple[int, int, None, int]
)


class PinnedBackend(httpcore.AsyncNetworkBackend):
    """Opens TCP connections only to the checked addresses pinned for this task.

    httpcore opens a connection inside the task that sends the request, so the target
    pinned by that task (`pinned`) is visible here. Addresses are tried in the
    resolver's order; the next one only when a connection is refused or unreachable.
    """

    def __init__(self, inner: httpcore.AsyncNetworkBackend | None = None) -> None:
        self._inner = inner or httpcore.AnyIOBackend()

    async def connect_tcp(
        self,
        host: str,
        port: int,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        local_address: str | None = None,
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        target = _pinned.get()
        if target is None or not _is_for(target, host, port):
            raise httpcore.ConnectError(f"no checked address for {host}:{port}; not connecting")
        last_error: httpcore.ConnectError | None = None
        for address in target.addresses:
            try:
                return await self._inner.connect_tcp(
                    str(address), port, timeout, local_address, socket_options
                )
            except httpcore.ConnectError as exc:
                last_error = exc
        raise last_error or httpcore.ConnectError(f"{host} has no checked address")

    async def connect_unix_socket(
        self,
        path: str,
        timeout: float | None = None,  # noqa: ASYNC109 (httpcore's signature)
        socket_options: Iterable[SocketOption] | None = None,
    ) -> httpcore.AsyncNetworkStream:
        raise httpcore.ConnectError("webhooks are never delivered over a Unix socket")

    async def sleep(self, seconds: float) -> None:
        await self._inner.sleep(seconds)


def _is_for(target: DeliveryTarget, host: str, port: int) -> bool:
    if port != target.url.port:
        return False
    if target.url.literal is None:
        return host.lower() == target.url.host
    try:  # an IPv6 literal can be written in several ways
        return ip_address(host) == target.url.literal
    except ValueError:
        return False


@contextmanager
def pinned(target: DeliveryTarget) -> Iterator[None]:
    """Within this block, connections from this task go to `target`'s addresses only."""
    token = _pinned.set(target)
    try:
        yield
    finally:
        _pinned.reset(token)


class PinnedTransport(httpx.AsyncHTTPTransport):
    """httpx's transport over a connection pool that uses `PinnedBackend`.

    httpx takes no network backend, so the pool it builds is replaced by one that does.
    `_pool` is httpx's own attribute: the transport tests fail if that ever changes.
    """

    def __init__(self, *, verify: ssl.SSLContext | bool = True, limits: httpx.Limits) -> None:
        super().__init__(verify=verify, limits=limits, trust_env=False)
        self._pool = httpcore.AsyncConnectionPool(
            ssl_context=httpx.create_ssl_context(verify=verify, trust_env=False),
            max_connections=limits.max_connections,
            max_keepalive_connections=limits.max_keepalive_connections,
            keepalive_expiry=limits.keepalive_expiry,
            network_backend=PinnedBackend(),
        )


def webhook_client(
    *, max_connections: int = DEFAULT_MAX_CONNECTIONS, verify: ssl.SSLContext | bool = True
) -> httpx.AsyncClient:
    """A client for deliveries: pinned addresses, no redirects, no proxies from the
    environment. One per endpoint keeps a hanging receiver from taking every connection."""
    limits = httpx.Limits(
        max_connections=max_connections, max_keepalive_connections=max_connections
    )
    return httpx.AsyncClient(
        transport=PinnedTransport(verify=verify, limits=limits),
        follow_redirects=False,
        trust_env=False,
        timeout=httpx.Timeout(DELIVERY_TIMEOUT_SECONDS),
        headers={"user-agent": USER_AGENT},
    )


@dataclass(frozen=True)
class Attempt:
    """What one delivery attempt got: a status code, or the failure that prevented one.

    `excerpt` is the start of the response body (or the failure's message) for the
    delivery log; `latency_ms` runs from the start of the attempt to its end.
    """

    status_code: int | None
    failure: TransportFailure | None
    excerpt: str
    retry_after: str | None
    latency_ms: float


async def deliver(
    client: httpx.AsyncClient,
    url: str,
    policy: UrlPolicy,
    resolve: Resolver,
    body: bytes,
    headers: Mapping[str, str],
    *,
    time_limit: float = DELIVERY_TIMEOUT_SECONDS,
    clock: Callable[[], float] = time.monotonic,
) -> Attempt:
    """Check `url` again, resolving its host once, and POST `body` to the checked address.

    Never raises for anything the receiver or the network does: every failure is an
    Attempt with `failure` set. `time_limit` (seconds) bounds the whole attempt,
    resolution included.
    """
    started = clock()
    try:
        async with asyncio.timeout(time_limit):
            target = await resolve_target(url, policy, resolve)
            return await _post(client, target, body, headers, started, clock)
    except UrlRefused as exc:
        failure = (
            TransportFailure.UNRESOLVABLE
            if exc.refusal is Refusal.UNRESOLVABLE
            else TransportFailure.BLOCKED
        )
        return _failed(failure, exc.message, started, clock)
    except (TimeoutError, httpx.TimeoutException):
        return _failed(
            TransportFailure.TIMEOUT, f"no answer within {time_limit:g} s", started, clock
        )
    except httpx.TransportError as exc:
        return _failed(_failure_of(exc), str(exc) or type(exc).__name__, started, clock)
    except httpx.InvalidURL as exc:  # passed our checks but not httpx's: never sent
        return _failed(TransportFailure.BLOCKED, str(exc), started, clock)


async def _post(
    client: httpx.AsyncClient,
    target: DeliveryTarget,
    body: bytes,
    headers: Mapping[str, str],
    started: float,
    clock: Callable[[], float],
) -> Attempt:
    sent = {
        "content-type": "application/json",
        "accept-encoding": "identity",  # the excerpt is read raw, never decompressed
        **headers,
    }
    with pinned(target):
        async with client.stream("POST", target.url.url, content=body, headers=sent) as response:
            excerpt = await _excerpt(response)
    return Attempt(
        status_code=response.status_code,
        failure=None,
        excerpt=excerpt,
        retry_after=response.headers.get("retry-after"),
        latency_ms=(clock() - started) * 1000,
    )


async def _excerpt(response: httpx.Response) -> str:
    # Read no more than the excerpt: a receiver cannot make WICC download a large body.
    data = b""
    async for chunk in response.aiter_raw():
        data += chunk
        if len(data) >= EXCERPT_BYTES:
            break
    return data[:EXCERPT_BYTES].decode("utf-8", errors="replace")


def _failed(
    failure: TransportFailure, message: str, started: float, clock: Callable[[], float]
) -> Attempt:
    return Attempt(
        status_code=None,
        failure=failure,
        excerpt=message[:EXCERPT_BYTES],
        retry_after=None,
        latency_ms=(clock() - started) * 1000,
    )


def _failure_of(exc: httpx.TransportError) -> TransportFailure:
    if isinstance(exc, httpx.ConnectError):
        return TransportFailure.TLS if _caused_by_tls(exc) else TransportFailure.CONNECT
    if isinstance(exc, httpx.NetworkError):
        return TransportFailure.CONNECT  # reset or closed while sending or reading
    return TransportFailure.PROTOCOL


def _caused_by_tls(exc: BaseException) -> bool:
    cause: BaseException | None = exc
    while cause is not None:
        if isinstance(cause, ssl.SSLError):
            return True
        cause = cause.__cause__ or cause.__context__
    return False


async def system_resolver(host: str) -> list[str]:
    """The operating system's resolver, as a `Resolver` (raises OSError on failure)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]
