"""Care capacity per locality and pathway, against the patients waiting for it.

Which services serve which pathway, and which of their figures counts as a free place,
is patient flow's rule (`wicc_flow.patients.demand_capacity`): pathway 1 dom care and
reablement starts per day; pathway 2 step-down intermediate care and community
hospital beds vacant and accepting; pathway 3 care home beds vacant and accepting, all
categories. Pathway 0 needs no new care and has no row.

Counted as the capacity service's totals count them (`GET /capacity/v1/care-capacity`):
only fresh figures make the capacity; a stale provider's places are left out and the
figure is flagged stale (its service type is then named stale at the top); a provider
serving several localities counts in full in each. A locality no provider of the
pathway's services covers has no capacity figure ("none counted"), never a zero.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime, timedelta

from wicc_flow.board.schemas import BoardCareProvider
from wicc_flow.patients.demand_capacity import FREE_FIGURE, PATHWAY_SERVICES
from wicc_flow.summaries import sources
from wicc_flow.summaries.codes import Pathway
from wicc_flow.summaries.document import (
    CareCapacitySection,
    SourceFreshness,
    capacity_demand,
    source_freshness,
)
from wicc_flow.summaries.figures import Figure, Unit, derive

BASIS = {
    Pathway.p1: "dom care and reablement starts per day",
    Pathway.p2: "step-down and community hospital beds vacant, accepting",
    Pathway.p3: "care home beds vacant, accepting (all categories)",
}
LABELS = {
    "dom_care": "Care capacity: domiciliary care",
    "reablement": "Care capacity: reablement",
    "intermediate_care_step_down": "Care capacity: step-down intermediate care",
    "community_hospital": "Care capacity: community hospitals",
    "care_home": "Care capacity: care homes",
}
# Patients waiting per (locality, pathway): from patient flow, when it is there.
Demand = Mapping[tuple[str, Pathway], Figure]


def pathways() -> dict[Pathway, tuple[str, ...]]:
    """The summary's pathways with the service types serving each."""
    return {
        Pathway(f"P{int(p)}"): tuple(t.value for t in types)
        for p, types in PATHWAY_SERVICES.items()
    }


def care_section(
    providers: Sequence[BoardCareProvider],
    localities: Sequence[tuple[str, str]],
    demand: Demand | None = None,
) -> CareCapacitySection | None:
    """One row per locality and pathway; None when no provider has ever reported."""
    if not providers:
        return None
    rows = [
        capacity_demand(
            code,
            name,
            pathway,
            BASIS[pathway],
            pathway_capacity(providers, code, types),
            demand.get((code, pathway)) if demand is not None else None,
        )
        for code, name in localities
        for pathway, types in pathways().items()
    ]
    return CareCapacitySection(rows=rows)


def pathway_capacity(
    providers: Sequence[BoardCareProvider], locality: str | None, types: Sequence[str]
) -> Figure | None:
    """The free places of `types` in `locality` (None: the whole system)."""
    parts = [f for t in types if (f := type_capacity(providers, locality, t)) is not None]
    if not parts:
        return None
    if len(parts) == 1:
        return parts[0]
    return derive(sum(p.value for p in parts), Unit.places, parts)


def type_capacity(
    providers: Sequence[BoardCareProvider], locality: str | None, service_type: str
) -> Figure | None:
    here = [
        p
        for p in providers
        if p.service_type == service_type and (locality is None or locality in p.localities)
    ]
    if not here:
        return None
    fresh = [p for p in here if not p.stale]
    free = FREE_FIGURE_NAMES[service_type]
    value = sum(getattr(row, free) or 0 for p in fresh for row in p.figures)
    # As the capacity service's totals: the oldest fresh figure dates the sum; with none
    # fresh, the newest stale one says when capacity was last known.
    as_of = min(p.as_of for p in fresh) if fresh else max(p.as_of for p in here)
    return Figure(
        value=value,
        unit=Unit.places,
        source=sources.care(service_type),
        as_of=as_of,
        stale=len(fresh) < len(here),
    )


FREE_FIGURE_NAMES = {t.value: name for t, name in FREE_FIGURE.items()}


def care_freshness(
    providers: Sequence[BoardCareProvider],
    registered: Mapping[str, frozenset[str]],
    limits: Mapping[str, timedelta],
    now: datetime,
) -> list[SourceFreshness]:
    """One source per service type that serves a pathway and is offered in the system
    (or has reported): as old as its oldest provider's figure; never received is stale."""
    found = []
    for service_type in LABELS:
        mine = [p for p in providers if p.service_type == service_type]
        if not mine and not registered.get(service_type):
            continue
        oldest = min((p.as_of for p in mine), default=None)
        found.append(
            source_freshness(
                sources.care(service_type),
                LABELS[service_type],
                oldest,
                limits[service_type],
                now,
            )
        )
    return found
