"""deploy/gateway/nginx.conf parsed into blocks, with nginx's inheritance rules."""

from __future__ import annotations

import re
from collections.abc import Iterator
from dataclasses import dataclass, field

from tests.deploy.manifests import NGINX_CONF


@dataclass
class NginxBlock:
    name: str
    args: list[str]
    parent: NginxBlock | None = None
    directives: list[list[str]] = field(default_factory=list)
    children: list[NginxBlock] = field(default_factory=list)

    def own(self, name: str) -> list[list[str]]:
        return [directive[1:] for directive in self.directives if directive[0] == name]

    def effective(self, name: str) -> list[list[str]]:
        """Values in force here: nginx inherits a directive only from the nearest level
        that defines it, and a level that defines it at all replaces the inherited set."""
        block: NginxBlock | None = self
        while block is not None:
            values = block.own(name)
            if values:
                return values
            block = block.parent
        return []

    def walk(self) -> Iterator[NginxBlock]:
        yield self
        for child in self.children:
            yield from child.walk()


def nginx_tokens(text: str) -> Iterator[str]:
    index = 0
    while index < len(text):
        char = text[index]
        if char.isspace():
            index += 1
        elif char == "#":
            while index < len(text) and text[index] != "\n":
                index += 1
        elif char in "{};":
            yield char
            index += 1
        elif char in "\"'":
            end = index + 1
            value = []
            while text[end] != char:
                if text[end] == "\\":
                    end += 1
                value.append(text[end])
                end += 1
            yield "".join(value)
            index = end + 1
        else:
            end = index
            while end < len(text) and not text[end].isspace() and text[end] not in "{};":
                end += 1
            yield text[index:end]
            index = end


def parse_nginx(text: str) -> NginxBlock:
    root = NginxBlock("main", [])
    current = root
    words: list[str] = []
    for token in nginx_tokens(text):
        if token == ";":
            assert words, "empty directive"
            current.directives.append(words)
            words = []
        elif token == "{":
            assert words, "block without a name"
            block = NginxBlock(words[0], words[1:], parent=current)
            current.children.append(block)
            current = block
            words = []
        elif token == "}":
            assert not words, "directive not terminated by ';'"
            assert current.parent is not None, "unbalanced braces"
            current = current.parent
        else:
            words.append(token)
    assert current is root, "unterminated block"
    assert not words, "unterminated directive"
    return root


def nginx_config() -> NginxBlock:
    return parse_nginx(NGINX_CONF.read_text(encoding="utf-8"))


def nginx_locations() -> dict[str, NginxBlock]:
    """Locations keyed by their arguments, e.g. ``"/flow/"`` or ``"= /flow/v1/board/ws"``."""
    return {
        " ".join(block.args): block for block in nginx_config().walk() if block.name == "location"
    }


def nginx_listen_port() -> int:
    servers = [block for block in nginx_config().walk() if block.name == "server"]
    assert len(servers) == 1
    listens = servers[0].own("listen")
    assert len(listens) == 1
    return int(listens[0][0].rsplit(":", 1)[-1])


def proxy_target(location: NginxBlock) -> str:
    passes = location.own("proxy_pass")
    assert len(passes) == 1, f"location {location.args} must proxy_pass exactly once"
    target = passes[0][0]
    if target.startswith("$"):
        assignments = {values[0]: values[1] for values in location.effective("set")}
        assert target in assignments, f"{target} is never set"
        target = assignments[target]
    return target


def proxy_headers(location: NginxBlock) -> dict[str, str]:
    return {values[0].lower(): values[1] for values in location.effective("proxy_set_header")}


def nginx_seconds(value: str) -> int:
    units = {"ms": 0.001, "s": 1, "m": 60, "h": 3600, "d": 86400}
    match = re.fullmatch(r"(\d+)(ms|s|m|h|d)?", value)
    assert match, f"not an nginx time: {value}"
    return int(int(match[1]) * units[match[2] or "s"])


def proxied_locations() -> list[NginxBlock]:
    return [block for block in nginx_locations().values() if block.own("proxy_pass")]
