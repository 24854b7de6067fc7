"""The HTTP side of a delivery: check the URL again, then POST to the checked addresses.

A check followed by an ordinary request would let DNS answer twice, a public address for
the check and an internal one for the connection (DNS rebinding). So the client
(`http11.WebhookClient`) never resolves names: it connects only to the addresses of the
`DeliveryTarget` that `resolve_target` has just checked, while the request itself names
the URL's host, so the `Host` header, the TLS server name (SNI) and the certificate
check are all for that name.
"""

from __future__ import annotations

import asyncio
import socket
import ssl
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass

from wicc_flow.webhooks.http11 import (
    DEFAULT_MAX_CONNECTIONS,
    EXCERPT_BYTES,
    USER_AGENT,
    ProtocolFailure,
    WebhookClient,
)
from wicc_flow.webhooks.schedule import TransportFailure
from wicc_flow.webhooks.ssrf import Refusal, Resolver, UrlPolicy, UrlRefused, resolve_target

DELIVERY_TIMEOUT_SECONDS = 15.0
__all__ = ["EXCERPT_BYTES", "USER_AGENT", "Attempt", "deliver", "webhook_client"]


def webhook_client(
    *, max_connections: int = DEFAULT_MAX_CONNECTIONS, verify: ssl.SSLContext | bool = True
) -> WebhookClient:
    """A client for deliveries: checked addresses only, no redirects, no proxies. One
    per endpoint keeps a hanging receiver from taking every connection."""
    return WebhookClient(max_connections=max_connections, verify=verify)


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
    client: WebhookClient,
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
            response = await client.post(target, body, headers)
    except UrlRefused as exc:
        failure = (
            TransportFailure.UNRESOLVABLE
            if exc.refusal is Refusal.UNRESOLVABLE
            else TransportFailure.BLOCKED
        )
        return _failed(failure, exc.message, started, clock)
    # In this order: a timeout and a TLS error are both OSErrors too.
    except TimeoutError:
        return _failed(
            TransportFailure.TIMEOUT, f"no answer within {time_limit:g} s", started, clock
        )
    except ssl.SSLError as exc:
        return _failed(TransportFailure.TLS, str(exc) or type(exc).__name__, started, clock)
    except OSError as exc:  # refused, unreachable, reset or closed while sending or reading
        return _failed(TransportFailure.CONNECT, str(exc) or type(exc).__name__, started, clock)
    except ProtocolFailure as exc:
        return _failed(TransportFailure.PROTOCOL, str(exc), started, clock)
    return Attempt(
        status_code=response.status_code,
        failure=None,
        excerpt=response.excerpt.decode("utf-8", errors="replace"),
        retry_after=response.retry_after,
        latency_ms=(clock() - started) * 1000,
    )


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


async def system_resolver(host: str) -> list[str]:
    """The operating system's resolver, as a `Resolver` (raises OSError on failure)."""
    infos = await asyncio.get_running_loop().getaddrinfo(host, None, type=socket.SOCK_STREAM)
    return [str(info[4][0]) for info in infos]
