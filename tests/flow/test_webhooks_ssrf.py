"""SSRF rules for webhook URLs: refused before any connection is made.

Every resolver here is a table in the test: no name is ever looked up for real and no
connection is opened.
"""

from __future__ import annotations

import socket
from collections.abc import Sequence
from ipaddress import IPv4Address, IPv6Address, ip_address

import httpx
import pytest
from hypothesis import given
from hypothesis import strategies as st

from wicc_flow.webhooks.ssrf import (
    METADATA_ADDRESSES,
    AddressKind,
    Refusal,
    UrlPolicy,
    UrlRefused,
    check_url,
    classify_address,
    is_allowed,
    parse_url,
    resolve_target,
)

PRODUCTION = UrlPolicy(allow_private=False, require_https=True)
PLAIN_HTTP = UrlPolicy(allow_private=False, require_https=False)
DEVELOPMENT = UrlPolicy(allow_private=True, require_https=False)


class Table:
    """A resolver answering from a dict, counting its calls; unknown names fail as DNS does."""

    def __init__(self, answers: dict[str, Sequence[str]]) -> None:
        self.answers = answers
        self.calls: list[str] = []

    async def __call__(self, host: str) -> Sequence[str]:
        self.calls.append(host)
        if host not in self.answers:
            raise socket.gaierror(socket.EAI_NONAME, "Name or service not known")
        return self.answers[host]


def _refusal(url: str, policy: UrlPolicy = PRODUCTION) -> Refusal:
    with pytest.raises(UrlRefused) as caught:
        parse_url(url, policy)
    return caught.value.refusal


@pytest.mark.parametrize(
    ("url", "host", "port"),
    [
        ("https://receiver.example.org/hooks", "receiver.example.org", 443),
        ("https://Receiver.Example.ORG:8443/x?y=1", "receiver.example.org", 8443),
        ("https://8.8.8.8/", "8.8.8.8", 443),
        ("https://[2606:4700::1111]:1/", "2606:4700::1111", 1),
        ("https://hooks.example.org.:65535/", "hooks.example.org.", 65535),
    ],
)
def test_public_https_urls_are_accepted(url: str, host: str, port: int) -> None:
    parsed = parse_url(url, PRODUCTION)
    assert (parsed.url, parsed.host, parsed.port) == (url, host, port)


@pytest.mark.parametrize(
    ("url", "refusal"),
    [
        ("ftp://example.org/", Refusal.SCHEME),
        ("file:///etc/passwd", Refusal.SCHEME),
        ("javascript:alert(1)", Refusal.SCHEME),
        ("//example.org/hooks", Refusal.SCHEME),
        ("http://example.org/", Refusal.HTTPS_REQUIRED),
        ("https://user:secret@example.org/", Refusal.CREDENTIALS),
        ("https://user@example.org/", Refusal.CREDENTIALS),
        ("https://example.org@127.0.0.1/", Refusal.CREDENTIALS),
        ("https://example.org:0/", Refusal.PORT),
        ("https://example.org:65536/", Refusal.PORT),
        ("https://example.org:99999/", Refusal.PORT),
        ("https://example.org:+443/", Refusal.PORT),
        ("https://example.org:443a/", Refusal.PORT),
        ("https://example.org:/", Refusal.PORT),
        ("https://example.org:1:2/", Refusal.PORT),
        ("https:///hooks", Refusal.MALFORMED),
        ("https://exa mple.org/", Refusal.MALFORMED),
        ("https://example.org/\nx", Refusal.MALFORMED),
        ("https://example.org\\@127.0.0.1/", Refusal.MALFORMED),
        ("https://bücher.example/", Refusal.MALFORMED),
        ("https://-bad.example/", Refusal.MALFORMED),
        ("https://[::1/", Refusal.MALFORMED),
        ("https://[1.2.3.4]/", Refusal.MALFORMED),
        ("https://[fe80::1%25eth0]/", Refusal.MALFORMED),
        ("https://[2606:4700::1111]x/", Refusal.MALFORMED),
        ("https://example.org/" + "a" * 2048, Refusal.MALFORMED),
        ("https://127.1/", Refusal.AMBIGUOUS_HOST),
        ("https://2130706433/", Refusal.AMBIGUOUS_HOST),
        ("https://0x7f000001/", Refusal.AMBIGUOUS_HOST),
        ("https://0x7f.0.0.1/", Refusal.AMBIGUOUS_HOST),
        ("https://017.0.0.1/", Refusal.AMBIGUOUS_HOST),
        ("https://127.0.0.1./", Refusal.AMBIGUOUS_HOST),
    ],
)
def test_malformed_or_unsafe_urls_are_refused(url: str, refusal: Refusal) -> None:
    assert _refusal(url) is refusal


def test_plain_http_is_accepted_only_outside_production() -> None:
    assert parse_url("http://example.org/hooks", PLAIN_HTTP).port == 80


@pytest.mark.parametrize(
    ("host", "kind"),
    [
        ("127.0.0.1", AddressKind.LOOPBACK),
        ("127.255.0.9", AddressKind.LOOPBACK),
        ("10.0.0.1", AddressKind.PRIVATE),
        ("172.16.5.4", AddressKind.PRIVATE),
        ("192.168.1.1", AddressKind.PRIVATE),
        ("169.254.1.1", AddressKind.LINK_LOCAL),
        ("100.64.0.1", AddressKind.SHARED),
        ("224.0.0.1", AddressKind.MULTICAST),
        ("0.0.0.0", AddressKind.UNSPECIFIED),  # noqa: S104 (a URL host, not a bind)
        ("240.0.0.1", AddressKind.RESERVED),
        ("255.255.255.255", AddressKind.RESERVED),
        ("192.0.2.1", AddressKind.RESERVED),
        ("198.18.0.1", AddressKind.RESERVED),
        ("[::1]", AddressKind.LOOPBACK),
        ("[::]", AddressKind.UNSPECIFIED),
        ("[fc00::1]", AddressKind.PRIVATE),
        ("[fd12:3456::1]", AddressKind.PRIVATE),
        ("[fe80::1]", AddressKind.LINK_LOCAL),
        ("[ff02::1]", AddressKind.MULTICAST),
        ("[2001:db8::1]", AddressKind.RESERVED),
        ("[2001::1]", AddressKind.RESERVED),  # Teredo
        ("[::ffff:127.0.0.1]", AddressKind.LOOPBACK),  # IPv4-mapped
        ("[::ffff:7f00:1]", AddressKind.LOOPBACK),  # the same, in hex
        ("[::ffff:10.0.0.1]", AddressKind.PRIVATE),
        ("[::127.0.0.1]", AddressKind.LOOPBACK),  # IPv4-compatible
        ("[64:ff9b::7f00:1]", AddressKind.LOOPBACK),  # NAT64
        ("[2002:7f00:1::]", AddressKind.LOOPBACK),  # 6to4
    ],
)
def test_non_public_addresses_are_refused_unless_private_is_allowed(
    host: str, kind: AddressKind
) -> None:
    url = f"https://{host}/hooks"
    with pytest.raises(UrlRefused) as caught:
        parse_url(url, PRODUCTION)
    assert caught.value.refusal is Refusal.BLOCKED_ADDRESS
    assert kind.value.replace("_", " ") in caught.value.message
    assert parse_url(url, DEVELOPMENT).literal is not None


@pytest.mark.parametrize(
    "host",
    [
        "169.254.169.254",
        "[fd00:ec2::254]",
        "100.100.100.200",
        "168.63.129.16",
        "[::ffff:169.254.169.254]",
        "[::ffff:a9fe:a9fe]",
        "metadata.google.internal",
        "METADATA.GOOGLE.INTERNAL.",
        "metadata",
    ],
)
def test_cloud_metadata_is_refused_even_when_private_is_allowed(host: str) -> None:
    for policy in (PRODUCTION, DEVELOPMENT):
        assert _refusal(f"https://{host}/latest/meta-data/", policy) is Refusal.METADATA


@pytest.mark.parametrize("host", ["localhost", "LOCALHOST.", "api.localhost"])
def test_localhost_names_are_refused_unless_private_is_allowed(host: str) -> None:
    assert _refusal(f"https://{host}/") is Refusal.BLOCKED_ADDRESS
    assert parse_url(f"https://{host}/", DEVELOPMENT).literal is None


@pytest.mark.parametrize(
    "address", ["8.8.8.8", "2606:4700::1111", "::ffff:8.8.8.8", "64:ff9b::808:808"]
)
def test_public_addresses_in_any_form_are_allowed(address: str) -> None:
    assert classify_address(ip_address(address)) is AddressKind.PUBLIC


@given(st.ip_addresses(v=4))
def test_every_ipv4_address_gets_the_same_decision_in_its_ipv6_forms(v4: IPv4Address) -> None:
    # An attacker gains nothing by writing an internal address inside an IPv6 one.
    mapped = IPv6Address(f"::ffff:{v4}")
    nat64 = IPv6Address((0x64FF9B << 96) | int(v4))
    assert classify_address(mapped) is classify_address(v4)
    assert classify_address(nat64) is classify_address(v4)


@given(st.ip_addresses(v=4))
def test_an_ipv4_address_the_standard_library_calls_non_global_is_refused(
    v4: IPv4Address,
) -> None:
    if not v4.is_global:
        assert not is_allowed(v4, PRODUCTION)


INTERNAL_RANGES = [
    "10.0.0.0/8",
    "172.16.0.0/12",
    "192.168.0.0/16",
    "127.0.0.0/8",
    "169.254.0.0/16",
    "100.64.0.0/10",
    "fc00::/7",
    "fe80::/10",
    "ff00::/8",
]


@given(st.sampled_from(INTERNAL_RANGES).flatmap(lambda net: st.ip_addresses(network=net)))
def test_every_address_of_the_internal_ranges_is_refused(
    address: IPv4Address | IPv6Address,
) -> None:
    assert not is_allowed(address, PRODUCTION)
    assert is_allowed(address, DEVELOPMENT) == (address not in METADATA_ADDRESSES)


@given(st.text(max_size=120))
def test_any_text_is_either_a_checked_url_or_a_refusal(text: str) -> None:
    try:
        parsed = parse_url(text, PRODUCTION)
    except UrlRefused:
        return
    assert parsed.scheme == "https"
    assert parsed.literal is None or is_allowed(parsed.literal, PRODUCTION)


_HOSTS = st.from_regex(r"[a-z][a-z0-9-]{0,10}[a-z0-9](\.[a-z][a-z0-9]{0,8}){1,3}", fullmatch=True)


@given(host=_HOSTS, port=st.integers(1, 65535), upper=st.booleans())
def test_the_host_and_port_checked_are_the_ones_httpx_connects_to(
    host: str, port: int, upper: bool
) -> None:
    url = f"https://{host.upper() if upper else host}:{port}/hooks"
    parsed = parse_url(url, PRODUCTION)
    sent = httpx.URL(url)
    assert (parsed.host, parsed.port) == (sent.host, sent.port or 443)


async def test_a_name_resolving_to_an_internal_address_is_refused() -> None:
    resolver = Table({"hooks.example.org": ["10.0.0.1"], "meta.example.org": ["169.254.169.254"]})
    with pytest.raises(UrlRefused) as caught:
        await check_url("https://hooks.example.org/", PRODUCTION, resolver)
    assert caught.value.refusal is Refusal.BLOCKED_ADDRESS
    assert "hooks.example.org resolves to 10.0.0.1" in caught.value.message
    with pytest.raises(UrlRefused) as caught:
        await check_url("https://meta.example.org/", DEVELOPMENT, resolver)
    assert caught.value.refusal is Refusal.METADATA


async def test_one_internal_address_among_public_ones_refuses_the_name() -> None:
    resolver = Table({"mixed.example.org": ["8.8.8.8", "2606:4700::1111", "127.0.0.1"]})
    with pytest.raises(UrlRefused):
        await resolve_target("https://mixed.example.org/", PRODUCTION, resolver)


async def test_every_resolved_address_is_checked_and_returned_once() -> None:
    resolver = Table({"hooks.example.org": ["8.8.8.8", "2606:4700::1111", "8.8.8.8"]})
    target = await resolve_target("https://hooks.example.org/x", PRODUCTION, resolver)
    assert target.addresses == (IPv4Address("8.8.8.8"), IPv6Address("2606:4700::1111"))
    assert target.url.host == "hooks.example.org"
    assert resolver.calls == ["hooks.example.org"]


async def test_dns_rebinding_is_caught_at_delivery() -> None:
    resolver = Table({"rebind.example.org": ["8.8.8.8"]})
    await check_url("https://rebind.example.org/", PRODUCTION, resolver)  # at creation
    resolver.answers["rebind.example.org"] = ["127.0.0.1"]  # the attacker's DNS changes
    with pytest.raises(UrlRefused) as caught:
        await resolve_target("https://rebind.example.org/", PRODUCTION, resolver)
    assert caught.value.refusal is Refusal.BLOCKED_ADDRESS


REFUSED_WITHOUT_LOOKUP = [
    "https://10.0.0.1/",
    "https://[::1]/",
    "https://metadata.google.internal/",
    "https://localhost/",
    "http://example.org/",
    "https://127.1/",
]


@pytest.mark.parametrize("url", REFUSED_WITHOUT_LOOKUP)
async def test_refusals_by_address_or_name_need_no_lookup(url: str) -> None:
    resolver = Table({})
    with pytest.raises(UrlRefused):
        await resolve_target(url, PRODUCTION, resolver)
    assert resolver.calls == []


async def test_an_address_literal_is_not_looked_up() -> None:
    resolver = Table({})
    target = await resolve_target("http://127.0.0.1:8080/", DEVELOPMENT, resolver)
    assert target.addresses == (IPv4Address("127.0.0.1"),)
    assert resolver.calls == []


@pytest.mark.parametrize("answers", [None, [], ["not-an-address"]])
async def test_a_name_without_a_usable_address_is_unresolvable(answers: list[str] | None) -> None:
    resolver = Table({} if answers is None else {"gone.example.org": answers})
    with pytest.raises(UrlRefused) as caught:
        await resolve_target("https://gone.example.org/", PRODUCTION, resolver)
    assert caught.value.refusal is Refusal.UNRESOLVABLE
