"""Which events an endpoint receives: event-type patterns and an organisation or system.

A pattern is an exact catalogue name (`opel.changed`), a name prefix ending in a
wildcard segment (`opel.*`: every type under `opel.`, at any depth, but not `opel`
itself) or `*` alone (every type). Patterns are checked against the event catalogue
when an endpoint is saved: one that matches no known type is refused, since it is
almost always a typo that would silently deliver nothing.
"""

from __future__ import annotations

import re
from collections.abc import Collection, Iterable
from dataclasses import dataclass, field

WILDCARD = "*"
MAX_PATTERNS = 100
_NAME = re.compile(r"[a-z0-9_]+(?:\.[a-z0-9_]+)*")


class InvalidPattern(ValueError):
    """An event-type pattern an endpoint cannot have; `pattern` is the offending one."""

    def __init__(self, pattern: str, message: str) -> None:
        super().__init__(f"{pattern!r}: {message}")
        self.pattern = pattern
        self.message = message


@dataclass(frozen=True)
class TypePattern:
    """One parsed pattern: `prefix` is None for an exact name, "" for `*`."""

    text: str
    prefix: str | None

    @classmethod
    def parse(cls, text: str) -> TypePattern:
        if text == WILDCARD:
            return cls(text, "")
        stem = text.removesuffix(".*")
        if not _NAME.fullmatch(stem):
            raise InvalidPattern(
                text,
                "a pattern is an event type (lower-case words joined by '.'), "
                "the same followed by '.*', or '*'",
            )
        return cls(text, stem + "." if stem != text else None)

    def matches(self, event_type: str) -> bool:
        if self.prefix is None:
            return event_type == self.text
        return event_type.startswith(self.prefix)


def validate_patterns(patterns: Iterable[str], known_types: Collection[str]) -> tuple[str, ...]:
    """The endpoint's patterns, checked, without duplicates and sorted.

    Raises InvalidPattern for a malformed pattern or one matching no type in
    `known_types` (the catalogue's names), and ValueError for none or too many.
    """
    unique = sorted(set(patterns))
    if not unique:
        raise ValueError("an endpoint subscribes to at least one event type")
    if len(unique) > MAX_PATTERNS:
        raise ValueError(f"an endpoint has at most {MAX_PATTERNS} event-type patterns")
    for text in unique:
        pattern = TypePattern.parse(text)
        if pattern.text != WILDCARD and not any(pattern.matches(t) for t in known_types):
            raise InvalidPattern(text, "matches no event type in the catalogue")
    return tuple(unique)


@dataclass(frozen=True)
class EventFacts:
    """What filtering needs to know of an event: its type and whom it is about."""

    type: str
    organisation: str | None = None  # ODS code
    system: str | None = None  # care system code


@dataclass(frozen=True)
class EndpointFilter:
    """An endpoint's event types and its optional organisation and system.

    With an organisation (or system) set, an event about another one, or about none,
    does not match: a trust's endpoint never receives system-wide events by accident.
    This is a subscription, not an authorisation: the dispatcher still checks that the
    endpoint's owner may read each event.
    """

    event_types: tuple[str, ...]
    organisation: str | None = None
    system: str | None = None
    _patterns: tuple[TypePattern, ...] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        # Parsed once: every event is matched against every endpoint.
        patterns = tuple(TypePattern.parse(text) for text in self.event_types)
        object.__setattr__(self, "_patterns", patterns)

    @classmethod
    def create(
        cls,
        event_types: Iterable[str],
        known_types: Collection[str],
        *,
        organisation: str | None = None,
        system: str | None = None,
    ) -> EndpointFilter:
        """A filter whose patterns are checked against the catalogue's names."""
        return cls(validate_patterns(event_types, known_types), organisation, system)

    def matches(self, event: EventFacts) -> bool:
        if self.organisation is not None and event.organisation != self.organisation:
            return False
        if self.system is not None and event.system != self.system:
            return False
        return any(pattern.matches(event.type) for pattern in self._patterns)
