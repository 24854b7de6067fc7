"""From the figures received to the acute parameters' inputs (pure: no I/O).

- The ED parameters are the sitrep's ED figures as they are.
- The bed parameters come from the adult G&A beds, live (`beds.updated`, summed over
  the organisation's units, as of the oldest unit's figure) or from the sitrep,
  whichever is fresher (live on a tie): occupancy with escalation beds included, and
  the share of open beds that are escalation beds.
- The NCTR share is the NCTR count over those occupied beds. The count comes from
  the patient-flow discharge sitrep or from the sitrep's `nctr_patients`, whichever
  is fresher (patient flow on a tie). A share is only as current as the older of its
  two figures, so that is its `as_of`; its source is the count's event.

Percentages use the shared occupancy rule (one decimal), so the board and the score
never show one figure two ways. A share over no beds is no input at all (missing).
"""

from __future__ import annotations

import uuid
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Protocol

from wicc_escalation.inputs.facts import (
    DISCHARGE_SITREP,
    ED_FIGURES,
    GA_ESCALATION_OPEN,
    GA_OCCUPIED,
    GA_OPEN,
    NCTR_PATIENTS,
    SITREP,
)
from wicc_escalation.opel.scoring import InputValue
from wicc_shared.catalogue import BEDS_UPDATED
from wicc_shared.rules.occupancy import occupancy_pct

# part / whole x 100 to one decimal, None over nothing: the occupancy rule's arithmetic.
share_pct = occupancy_pct

GA_OCCUPANCY = "adult_ga_occupancy_pct"
ESCALATION_SHARE = "escalation_beds_pct_of_open"
NCTR_SHARE = "nctr_pct_of_occupied"


@dataclass(frozen=True, slots=True)
class Fact:
    value: float
    as_of: datetime
    event_id: str
    event_type: str


@dataclass(frozen=True, slots=True)
class Beds:
    """Adult G&A beds of one organisation, from one source."""

    open: int
    occupied: int
    escalation_open: int
    as_of: datetime
    event_id: str | None
    event_type: str


Facts = Mapping[tuple[str, str], Fact]  # (name, source) -> the latest figure


class UnitFigure(Protocol):
    """What is read of a unit's live figure (a `UnitBeds` row fits)."""

    @property
    def open(self) -> int: ...
    @property
    def occupied(self) -> int: ...
    @property
    def escalation_open(self) -> int: ...
    @property
    def as_of(self) -> datetime: ...
    @property
    def event_id(self) -> uuid.UUID | None: ...


def live_beds(units: Sequence[UnitFigure]) -> Beds | None:
    """An organisation's adult G&A units added up, as of the oldest unit's figure (the
    total is only as current as that); its source is the newest unit's event."""
    if not units:
        return None
    newest = max(units, key=lambda u: u.as_of)
    return Beds(
        open=sum(u.open for u in units),
        occupied=sum(u.occupied for u in units),
        escalation_open=sum(u.escalation_open for u in units),
        as_of=min(u.as_of for u in units),
        event_id=str(newest.event_id) if newest.event_id else None,
        event_type=BEDS_UPDATED.name,
    )


def acute_inputs(facts: Facts, live: Beds | None) -> dict[str, InputValue]:
    """Every acute input the figures give, by parameter key."""
    inputs = {
        name: _input(fact.value, fact)
        for name in ED_FIGURES
        if (fact := facts.get((name, SITREP))) is not None
    }
    beds = _fresher(live, sitrep_beds(facts))
    if beds is None:
        return inputs
    source = Fact(0.0, beds.as_of, beds.event_id or "", beds.event_type)
    _put(inputs, GA_OCCUPANCY, occupancy_pct(beds.occupied, beds.open), source)
    _put(inputs, ESCALATION_SHARE, share_pct(beds.escalation_open, beds.open), source)
    count = _fresher_fact(
        facts.get((NCTR_PATIENTS, DISCHARGE_SITREP)), facts.get((NCTR_PATIENTS, SITREP))
    )
    if count is not None:
        as_of = min(count.as_of, beds.as_of)
        share = share_pct(round(count.value), beds.occupied)
        _put(inputs, NCTR_SHARE, share, Fact(count.value, as_of, count.event_id, count.event_type))
    return inputs


def sitrep_beds(facts: Facts) -> Beds | None:
    """The sitrep's adult G&A beds, when its last version reported them."""
    parts = [facts.get((name, SITREP)) for name in (GA_OPEN, GA_OCCUPIED, GA_ESCALATION_OPEN)]
    if any(part is None for part in parts):
        return None
    open_, occupied, escalation = (part for part in parts if part is not None)
    return Beds(
        open=round(open_.value),
        occupied=round(occupied.value),
        escalation_open=round(escalation.value),
        as_of=open_.as_of,
        event_id=open_.event_id,
        event_type=open_.event_type,
    )


def _fresher(live: Beds | None, sitrep: Beds | None) -> Beds | None:
    if live is None or (sitrep is not None and sitrep.as_of > live.as_of):
        return sitrep
    return live


def _fresher_fact(preferred: Fact | None, other: Fact | None) -> Fact | None:
    if preferred is None or (other is not None and other.as_of > preferred.as_of):
        return other
    return preferred


def _put(inputs: dict[str, InputValue], key: str, value: float | None, source: Fact) -> None:
    if value is not None:
        inputs[key] = _input(value, source)


def _input(value: float, source: Fact) -> InputValue:
    return InputValue(value, source.as_of, source.event_id or None, source.event_type)
