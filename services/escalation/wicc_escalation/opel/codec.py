"""Scores and level states to JSON and back, for the tables that keep them.

The rules' results are frozen dataclasses; pydantic validates and serialises them as
they are, so what is stored is exactly what was computed (tuples, enums and times
included) and a stored organisation's score can be combined into its system's again.
"""

from __future__ import annotations

from typing import Any, TypeVar

from pydantic import TypeAdapter

from wicc_escalation.opel.damping import SettledLevel
from wicc_escalation.opel.divergence import Divergence
from wicc_escalation.opel.scoring import TrustScore
from wicc_escalation.opel.system import SystemScore

T = TypeVar("T")
Json = dict[str, Any]

_TRUST: TypeAdapter[TrustScore] = TypeAdapter(TrustScore)
_SYSTEM: TypeAdapter[SystemScore] = TypeAdapter(SystemScore)
_SETTLED: TypeAdapter[SettledLevel] = TypeAdapter(SettledLevel)
_DIVERGENCE: TypeAdapter[Divergence] = TypeAdapter(Divergence)


def dump_trust(score: TrustScore) -> Json:
    return _dump(_TRUST, score)


def load_trust(data: Json) -> TrustScore:
    return _TRUST.validate_python(data)


def dump_system(score: SystemScore) -> Json:
    return _dump(_SYSTEM, score)


def load_system(data: Json) -> SystemScore:
    return _SYSTEM.validate_python(data)


def dump_settled(settled: SettledLevel | None) -> Json | None:
    return None if settled is None else _dump(_SETTLED, settled)


def load_settled(data: Json | None) -> SettledLevel | None:
    return None if data is None else _SETTLED.validate_python(data)


def dump_divergence(divergence: Divergence | None) -> Json | None:
    return None if divergence is None else _dump(_DIVERGENCE, divergence)


def load_divergence(data: Json | None) -> Divergence | None:
    return None if data is None else _DIVERGENCE.validate_python(data)


def _dump(adapter: TypeAdapter[T], value: T) -> Json:
    dumped: Json = adapter.dump_python(value, mode="json")
    return dumped
