"""The roles a WICC process plays (see process.py)."""

from __future__ import annotations

from enum import StrEnum


class Role(StrEnum):
    api = "api"  # answers requests; runs the services' API tasks (the board hub)
    worker = "worker"  # relays, consumers, scheduled jobs


API_AND_WORKER = frozenset({Role.api, Role.worker})
API_ONLY = frozenset({Role.api})
WORKER_ONLY = frozenset({Role.worker})
