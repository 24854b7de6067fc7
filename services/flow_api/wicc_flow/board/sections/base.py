"""The contract of a board section."""

from __future__ import annotations

import logging
from datetime import datetime
from typing import Any, Protocol, TypeVar

from pydantic import BaseModel, ValidationError

from wicc_shared.catalogue.base import EventPayload, EventType

logger = logging.getLogger(__name__)
M = TypeVar("M", bound=BaseModel)


class BoardSection(Protocol):
    """One capability's part of the board.

    `apply` gets only payloads of `event_types`, already parsed. `state` must be JSON
    and `restore` must accept it back (the hub's checkpoint). `view` returns the keys
    this section adds to a snapshot: none at all until it has data, so a board of a
    system without that capability keeps its shape. `next_stale_at` says when a figure
    shown fresh now turns stale, so the cached snapshot is rebuilt then.
    """

    key: str  # the section's key in the checkpointed state
    event_types: tuple[EventType[Any], ...]

    def apply(self, event_type: EventType[Any], payload: EventPayload) -> None: ...

    def state(self) -> dict[str, Any]: ...

    def restore(self, state: dict[str, Any]) -> None: ...

    def view(self, now: datetime) -> dict[str, Any]: ...

    def next_stale_at(self, now: datetime) -> datetime | None: ...


def restored(entries: dict[str, Any], model: type[M]) -> dict[str, M]:
    """Checkpointed entries parsed back; one that no longer parses (an older payload
    version) is skipped with a warning rather than stopping the board."""
    result: dict[str, M] = {}
    for key, entry in entries.items():
        try:
            result[key] = model.model_validate(entry)
        except ValidationError:
            logger.warning("board checkpoint: skipped an unreadable %s", key)
    return result


def dumped(entries: dict[str, M]) -> dict[str, Any]:
    return {key: value.model_dump(mode="json") for key, value in entries.items()}
