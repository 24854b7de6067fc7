"""What every catalogue entry is: a named, versioned event type with a payload model."""

from __future__ import annotations

import re
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from pydantic import BaseModel, ConfigDict

from wicc_shared.events.envelope import Event

# `<noun>.<past_tense_verb>`, lower snake case: beds.updated, bed_status.updated.
NAME = re.compile(r"^[a-z]+(?:_[a-z]+)*\.(?:[a-z]+_)*(?P<verb>[a-z]+)$")
# Past participles that do not end in -ed.
IRREGULAR_VERBS = frozenset({"withdrawn", "sent", "begun", "done", "made", "set"})


def is_event_name(name: str) -> bool:
    match = NAME.match(name)
    return match is not None and (match["verb"].endswith("ed") or match["verb"] in IRREGULAR_VERBS)


@dataclass(frozen=True, slots=True)
class EventScope:
    """The organisation and care system an event is about: who may receive it."""

    org: str | None
    system: str | None


class EventPayload(BaseModel):
    """The `data` of one event type. Extra fields are refused, so a producer cannot
    slip an unlisted field (personal data above all) into an event."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    def scope(self) -> EventScope:
        raise NotImplementedError


class OrgScoped(EventPayload):
    """A payload about one organisation of one care system."""

    org: str
    system: str

    def scope(self) -> EventScope:
        return EventScope(org=self.org, system=self.system)


P = TypeVar("P", bound=EventPayload)


@dataclass(frozen=True)
class EventType(Generic[P]):
    """One entry of the catalogue.

    `version` is the payload's schema version: an incompatible change to the payload
    is a new version (consumers then learn both), never a silent change of meaning.
    `subject` derives the envelope's subject from the payload, so events about one
    thing (a unit, an organisation's sitrep) share it and can be ordered by it.
    """

    name: str
    payload: type[P]
    version: int
    summary: str
    producer: str
    subject: Callable[[P], str]
    subject_pattern: str
    legacy_names: tuple[str, ...] = ()

    def __post_init__(self) -> None:
        if not is_event_name(self.name):
            raise ValueError(f"event type {self.name!r} is not <noun>.<past_tense_verb>")

    @property
    def dataschema(self) -> str:
        """The envelope's `dataschema`: names the payload model and its version."""
        return f"urn:wicc:event:{self.name}:{self.version}"

    def parse(self, event: Event) -> P:
        return self.payload.model_validate(event.data)


class Catalogue:
    """Every event type, found by its name or by a name it had before."""

    def __init__(self, types: Iterable[EventType[Any]]) -> None:
        self._types = list(types)
        self._by_name: dict[str, EventType[Any]] = {}
        for event_type in self._types:
            for name in (event_type.name, *event_type.legacy_names):
                if name in self._by_name:
                    raise ValueError(f"event type {name!r} is declared twice")
                self._by_name[name] = event_type

    def __iter__(self) -> Iterator[EventType[Any]]:
        return iter(self._types)

    def get(self, name: str) -> EventType[Any] | None:
        return self._by_name.get(name)

    def names(self) -> frozenset[str]:
        """Current names only."""
        return frozenset(t.name for t in self._types)

    def names_of(self, types: Iterable[EventType[Any]]) -> frozenset[str]:
        """The current and legacy names of `types`: what a reader of the log must match."""
        return frozenset(name for t in types for name in (t.name, *t.legacy_names))
