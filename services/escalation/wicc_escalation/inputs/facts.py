"""Which figures an input event brings (pure: no I/O).

A sitrep brings its six ED figures, its adult G&A beds (open, occupied, escalation
beds open) and its NCTR count, all as at 08:00 on its date; a discharge sitrep brings
the NCTR patients still in hospital, as patient flow counts them live. A sitrep
without an ED, or without an adult G&A area, brings a *removal* of those figures
(`value` None): an amendment that drops them must not leave the first version's
figures counting.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from wicc_shared.catalogue.patients import DischargeSitrepUpdated
from wicc_shared.catalogue.sitreps import EdFigures, SitrepRecorded
from wicc_shared.events.envelope import Event
from wicc_shared.kernel.reference import BedArea
from wicc_shared.rules.sitrep_time import sitrep_as_of

SITREP = "sitrep"
DISCHARGE_SITREP = "discharge_sitrep"

ED_FIGURES = tuple(EdFigures.model_fields)
GA_OPEN = "ga_open"
GA_OCCUPIED = "ga_occupied"
GA_ESCALATION_OPEN = "ga_escalation_open"
GA_FIGURES = (GA_OPEN, GA_OCCUPIED, GA_ESCALATION_OPEN)
NCTR_PATIENTS = "nctr_patients"


@dataclass(frozen=True, slots=True)
class NewFact:
    name: str
    source: str
    value: float | None  # None: the source no longer reports this figure
    as_of: datetime
    version: int
    event_id: str
    event_type: str


def sitrep_facts(sitrep: SitrepRecorded, event: Event, timezone: str) -> list[NewFact]:
    as_of = sitrep_as_of(sitrep.date, timezone)
    figures = sitrep.figures
    values: dict[str, float | None] = dict.fromkeys((*ED_FIGURES, *GA_FIGURES))
    if figures.ed is not None:
        values.update(figures.ed.model_dump())
    ga = next((a for a in figures.beds if a.bed_area is BedArea.adult_ga), None)
    if ga is not None:
        values[GA_OPEN], values[GA_OCCUPIED] = ga.open, ga.occupied
        values[GA_ESCALATION_OPEN] = ga.escalation_open
    values[NCTR_PATIENTS] = figures.nctr_patients
    return [
        NewFact(name, SITREP, value, as_of, sitrep.version, str(event.id), event.type)
        for name, value in values.items()
    ]


def discharge_sitrep_facts(counts: DischargeSitrepUpdated, event: Event) -> list[NewFact]:
    # `remaining`, not `nctr_patients`: the day's NCTR count includes those already
    # discharged, while the parameter is about beds occupied now (as the 08:00
    # sitrep's count is).
    return [
        NewFact(
            NCTR_PATIENTS,
            DISCHARGE_SITREP,
            counts.remaining,
            counts.as_of,
            0,
            str(event.id),
            event.type,
        )
    ]
