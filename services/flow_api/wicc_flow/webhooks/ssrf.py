"""Which webhook URLs WICC may call: no server-side request forgery.

A webhook URL is chosen by a partner, and WICC's dispatcher calls it from inside the
hosting network. Unchecked, it could reach the database, the cloud's metadata service
(credentials) or any internal service. So a URL is refused when its host is, or
resolves to, an address that is not on the public internet: loopback, private
(RFC 1918, fc00::/7), link-local, carrier-grade NAT, multicast, unspecified, reserved
or documentation ranges, and the same addresses written inside IPv6 (IPv4-mapped,
IPv4-compatible, NAT64, 6to4). Cloud metadata addresses and names are refused always,
even when `allow_private` opens the private ranges for development.

The check runs when an endpoint is created and again at every delivery, because DNS can
change: `resolve_target` resolves once, checks every address and returns them, and the
transport connects only to those (no second lookup an attacker could answer
differently). The resolver is injected, so this module does no I/O of its own.
"""

from __future__ import annotations

import re
from collections.abc import Awaitable, Callable, Sequence
from dataclasses import dataclass
from enum import StrEnum
from ipaddress import IPv4Address, IPv4Network, IPv6Address, IPv6Network, ip_address
from urllib.parse import urlsplit

IPAddress = IPv4Address | IPv6Address
# host name -> its addresses as text; raises OSError when the name does not resolve
Resolver = Callable[[str], Awaitable[Sequence[str]]]

MAX_URL_LENGTH = 2048
DEFAULT_PORTS = {"http": 80, "https": 443}
_LABEL = re.compile(r"[a-z0-9_](?:[a-z0-9_-]{0,61}[a-z0-9_])?")
# A last label that is a number makes a host an IPv4 address in some parsers
# ("127.1", "2130706433", "0x7f.1"): only the plain dotted-quad form is accepted.
_NUMERIC_LABEL = re.compile(r"[0-9]+|0x[0-9a-f]*")


class AddressKind(StrEnum):
    PUBLIC = "public"
    LOOPBACK = "loopback"
    PRIVATE = "private"
    LINK_LOCAL = "link_local"
    SHARED = "carrier_grade_nat"
    MULTICAST = "multicast"
    UNSPECIFIED = "unspecified"
    RESERVED = "reserved"
    METADATA = "cloud_metadata"


class Refusal(StrEnum):
    MALFORMED = "malformed"
    SCHEME = "scheme"
    HTTPS_REQUIRED = "https_required"
    CREDENTIALS = "credentials"
    PORT = "port"
    AMBIGUOUS_HOST = "ambiguous_host"
    BLOCKED_ADDRESS = "blocked_address"
    METADATA = "cloud_metadata"
    UNRESOLVABLE = "unresolvable"


class UrlRefused(ValueError):
    """A webhook URL WICC will not call; `refusal` is the machine-readable reason."""

    def __init__(self, refusal: Refusal, message: str) -> None:
        super().__init__(message)
        self.refusal = refusal
        self.message = message


@dataclass(frozen=True)
class UrlPolicy:
    """`allow_private` is for development and tests only (WICC_WEBHOOK_ALLOW_PRIVATE);
    `require_https` holds in production."""

    allow_private: bool = False
    require_https: bool = True


@dataclass(frozen=True)
class WebhookUrl:
    """A URL that passed the syntax checks. `url` is sent as given; `host` is lower case
    (an IPv6 literal without brackets) and `port` is explicit or the scheme's default."""

    url: str
    scheme: str
    host: str
    port: int
    literal: IPAddress | None


@dataclass(frozen=True)
class DeliveryTarget:
    """A URL and every address its host resolved to, all checked: connect only to these."""

    url: WebhookUrl
    addresses: tuple[IPAddress, ...]


METADATA_ADDRESSES: frozenset[IPAddress] = frozenset(
    {
        IPv4Address("169.254.169.254"),  # AWS, GCP, Azure, OpenStack, DigitalOcean, ...
        IPv4Address("169.254.170.2"),  # AWS ECS task credentials
        IPv4Address("100.100.100.200"),  # Alibaba Cloud
        IPv4Address("168.63.129.16"),  # Azure host (WireServer), a public address
        IPv4Address("192.0.0.192"),  # Oracle Cloud
        IPv6Address("fd00:ec2::254"),  # AWS over IPv6
    }
)
METADATA_NAMES = frozenset(
    {
        "metadata",
        "metadata.google.internal",
        "metadata.goog",
        "instance-data",
        "instance-data.ec2.internal",
    }
)

# IANA's special-purpose registries, most specific first where ranges nest.
_V4_RANGES: tuple[tuple[IPv4Network, AddressKind], ...] = tuple(
    (IPv4Network(net), kind)
    for net, kind in (
        ("0.0.0.0/8", AddressKind.UNSPECIFIED),
        ("10.0.0.0/8", AddressKind.PRIVATE),
        ("100.64.0.0/10", AddressKind.SHARED),
        ("127.0.0.0/8", AddressKind.LOOPBACK),
        ("169.254.0.0/16", AddressKind.LINK_LOCAL),
        ("172.16.0.0/12", AddressKind.PRIVATE),
        ("192.0.0.0/24", AddressKind.RESERVED),  # IETF protocol assignments
        ("192.0.2.0/24", AddressKind.RESERVED),  # documentation
        ("192.88.99.0/24", AddressKind.RESERVED),  # former 6to4 relays
        ("192.168.0.0/16", AddressKind.PRIVATE),
        ("198.18.0.0/15", AddressKind.RESERVED),  # benchmarking
        ("198.51.100.0/24", AddressKind.RESERVED),  # documentation
        ("203.0.113.0/24", AddressKind.RESERVED),  # documentation
        ("224.0.0.0/4", AddressKind.MULTICAST),
        ("240.0.0.0/4", AddressKind.RESERVED),  # includes 255.255.255.255
    )
)
_V6_RANGES: tuple[tuple[IPv6Network, AddressKind], ...] = tuple(
    (IPv6Network(net), kind)
    for net, kind in (
        ("::/128", AddressKind.UNSPECIFIED),
        ("::1/128", AddressKind.LOOPBACK),
        ("::ffff:0:0:0/96", AddressKind.RESERVED),  # IPv4-translated
        ("64:ff9b:1::/48", AddressKind.RESERVED),  # local-use NAT64
        ("100::/64", AddressKind.RESERVED),  # discard
        ("2001::/23", AddressKind.RESERVED),  # IETF assignments, including Teredo
        ("2001:db8::/32", AddressKind.RESERVED),  # documentation
        ("3fff::/20", AddressKind.RESERVED),  # documentation
        ("5f00::/16", AddressKind.RESERVED),  # segment routing
        ("fc00::/7", AddressKind.PRIVATE),  # unique local
        ("fe80::/10", AddressKind.LINK_LOCAL),
        ("fec0::/10", AddressKind.PRIVATE),  # deprecated site-local
        ("ff00::/8", AddressKind.MULTICAST),
    )
)
_NAT64 = IPv6Network("64:ff9b::/96")
_V4_COMPATIBLE = IPv6Network("::/96")


def classify_address(address: IPAddress) -> AddressKind:
    """What kind of address this is, looking through IPv6 forms that carry an IPv4 one."""
    if address in METADATA_ADDRESSES:
        return AddressKind.METADATA
    if isinstance(address, IPv4Address):
        return _kind_in(address, _V4_RANGES) or _not_global(address)
    embedded = _embedded_ipv4(address)
    if embedded is not None:
        return classify_address(embedded)
    return _kind_in(address, _V6_RANGES) or _not_global(address)


def _kind_in(
    address: IPAddress, ranges: Sequence[tuple[IPv4Network | IPv6Network, AddressKind]]
) -> AddressKind | None:
    return next((kind for net, kind in ranges if address in net), None)


def _not_global(address: IPAddress) -> AddressKind:
    # Anything the standard library knows as special that the tables above missed.
    return AddressKind.PUBLIC if address.is_global else AddressKind.RESERVED


def _embedded_ipv4(address: IPv6Address) -> IPv4Address | None:
    if address.ipv4_mapped is not None:
        return address.ipv4_mapped
    if address.sixtofour is not None:
        return address.sixtofour
    if address in _NAT64 or (address in _V4_COMPATIBLE and int(address) > 1):
        return IPv4Address(int(address) & 0xFFFFFFFF)
    return None


def is_allowed(address: IPAddress, policy: UrlPolicy) -> bool:
    kind = classify_address(address)
    if kind is AddressKind.METADATA:
        return False
    return kind is AddressKind.PUBLIC or policy.allow_private


def parse_url(url: str, policy: UrlPolicy) -> WebhookUrl:
    """Check a URL's form and, when its host is an address or a known name, the host.

    Raises UrlRefused. Names are not resolved here: see `resolve_target`.
    """
    if len(url) > MAX_URL_LENGTH:
        raise UrlRefused(Refusal.MALFORMED, f"a URL has at most {MAX_URL_LENGTH} characters")
    if not url.isascii() or any(ch.isspace() or ch == "\\" or not ch.isprintable() for ch in url):
        # Parsers disagree on these (a backslash is a slash to browsers), so none pass.
        raise UrlRefused(
            Refusal.MALFORMED,
            "a URL has no spaces, control characters, backslashes or non-ASCII characters "
            "(write an international host name in its xn-- form)",
        )
    try:
        parts = urlsplit(url)
    except ValueError as exc:  # for instance an unclosed or IPv4 bracketed host
        raise UrlRefused(Refusal.MALFORMED, f"not a URL: {exc}") from None
    scheme = parts.scheme.lower()
    if scheme not in DEFAULT_PORTS:
        raise UrlRefused(Refusal.SCHEME, "a webhook URL is http or https")
    if policy.require_https and scheme != "https":
        raise UrlRefused(Refusal.HTTPS_REQUIRED, "a webhook URL is https")
    if "@" in parts.netloc:
        raise UrlRefused(Refusal.CREDENTIALS, "a webhook URL carries no user name or password")
    host, literal, port = _host_and_port(parts.netloc, DEFAULT_PORTS[scheme])
    target = WebhookUrl(url=url, scheme=scheme, host=host, port=port, literal=literal)
    _check_host(target, policy)
    return target


def _host_and_port(netloc: str, default_port: int) -> tuple[str, IPAddress | None, int]:
    literal: IPAddress | None
    if netloc.startswith("["):
        inside, bracket, rest = netloc[1:].partition("]")
        if not bracket:
            raise UrlRefused(Refusal.MALFORMED, "an IPv6 address is closed by ']'")
        host, literal = inside.lower(), _ipv6_literal(inside)
    else:
        host, colon, port_text = netloc.partition(":")
        rest = colon + port_text
        host = host.lower()
        literal = _ipv4_or_name(host)
    if not rest:
        return host, literal, default_port
    if not rest.startswith(":"):
        raise UrlRefused(Refusal.MALFORMED, "a host is followed only by ':' and a port")
    return host, literal, _port(rest[1:])


def _port(text: str) -> int:
    if not (text.isascii() and text.isdigit() and len(text) <= 5 and 1 <= int(text) <= 65535):
        raise UrlRefused(Refusal.PORT, "a port is a number from 1 to 65535")
    return int(text)


def _ipv6_literal(text: str) -> IPv6Address:
    try:
        address = IPv6Address(text)
    except ValueError:
        raise UrlRefused(Refusal.MALFORMED, "not an IPv6 address between '[' and ']'") from None
    if address.scope_id is not None:
        raise UrlRefused(Refusal.MALFORMED, "an IPv6 address in a URL has no zone (%)")
    return address


def _ipv4_or_name(host: str) -> IPv4Address | None:
    try:
        return IPv4Address(host)
    except ValueError:
        pass
    name = host.removesuffix(".")
    labels = name.split(".")
    if len(name) > 253 or not all(_LABEL.fullmatch(label) for label in labels):
        raise UrlRefused(Refusal.MALFORMED, "the host is not a valid host name or address")
    if _NUMERIC_LABEL.fullmatch(labels[-1]):
        raise UrlRefused(
            Refusal.AMBIGUOUS_HOST, "write an IPv4 address as four decimal numbers (a.b.c.d)"
        )
    return None


def _check_host(target: WebhookUrl, policy: UrlPolicy) -> None:
    if target.literal is not None:
        _check_address(target.literal, policy, target.host)
        return
    name = target.host.removesuffix(".")
    if name in METADATA_NAMES:
        raise UrlRefused(Refusal.METADATA, f"{name} is a cloud metadata service")
    if (name == "localhost" or name.endswith(".localhost")) and not policy.allow_private:
        raise UrlRefused(Refusal.BLOCKED_ADDRESS, f"{name} is this machine (loopback)")


def _check_address(address: IPAddress, policy: UrlPolicy, host: str) -> None:
    if is_allowed(address, policy):
        return
    kind = classify_address(address)
    if kind is AddressKind.METADATA:
        raise UrlRefused(Refusal.METADATA, f"{host} is a cloud metadata address ({address})")
    shown = "" if host == str(address) else f"{host} resolves to "
    raise UrlRefused(
        Refusal.BLOCKED_ADDRESS,
        f"{shown}{address}, a {kind.value.replace('_', ' ')} address WICC may not call",
    )


async def resolve_target(url: str, policy: UrlPolicy, resolve: Resolver) -> DeliveryTarget:
    """Check `url`, resolve its host once and check every address it resolves to.

    One refused address refuses the URL (an attacker may mix a public address with an
    internal one). Raises UrlRefused; at delivery time that is a failed attempt.
    """
    target = parse_url(url, policy)
    if target.literal is not None:
        return DeliveryTarget(target, (target.literal,))
    addresses = await _resolve(target.host, resolve)
    for address in addresses:
        _check_address(address, policy, target.host)
    return DeliveryTarget(target, addresses)


async def check_url(url: str, policy: UrlPolicy, resolve: Resolver) -> WebhookUrl:
    """The check made when an endpoint is created or its URL changed."""
    return (await resolve_target(url, policy, resolve)).url


async def _resolve(host: str, resolve: Resolver) -> tuple[IPAddress, ...]:
    try:
        answers = await resolve(host)
    except OSError as exc:
        raise UrlRefused(Refusal.UNRESOLVABLE, f"{host} does not resolve ({exc})") from exc
    try:
        addresses = tuple(dict.fromkeys(ip_address(answer) for answer in answers))
    except ValueError as exc:
        raise UrlRefused(Refusal.UNRESOLVABLE, f"{host} resolved to a non-address") from exc
    if not addresses:
        raise UrlRefused(Refusal.UNRESOLVABLE, f"{host} has no address")
    return addresses
