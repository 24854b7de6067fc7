"""The summary document of one care system and one day, from its inputs (pure).

One function per part of the document, each taking only what it needs from the
inputs. A part whose source has no data (no discharge sitrep yet, no OPEL score, no
weeks of patients becoming ready) is None, never zeros.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from wicc_flow.summaries import sources
from wicc_flow.summaries.bed_position import (
    BedCount,
    bed_figures,
    bed_freshness,
    org_count,
    sum_counts,
)
from wicc_flow.summaries.care_capacity import (
    care_freshness,
    care_section,
    pathway_capacity,
    pathways,
)
from wicc_flow.summaries.changes import document_changes
from wicc_flow.summaries.codes import Pathway
from wicc_flow.summaries.document import (
    Area,
    BedPosition,
    BuildInfo,
    BuildTrigger,
    PatientsReady,
    SourceFreshness,
    SummaryDocument,
    Trend,
    Trends,
    source_freshness,
)
from wicc_flow.summaries.figures import Figure, Unit
from wicc_flow.summaries.history import (
    CLOSED_INFECTION,
    ESCALATION_OPEN,
    OCCUPANCY,
    OCCUPANCY_CORE,
    PATIENTS_READY,
    History,
)
from wicc_flow.summaries.inputs import BoardInputs, Build, OrgRef, Reference
from wicc_flow.summaries.opel_status import opel_sources, opel_status
from wicc_flow.summaries.patients_ready import (
    counts_of,
    outlook_of,
    patients_ready,
    waiting,
)
from wicc_flow.summaries.patients_ready import source as patients_source
from wicc_flow.summaries.short_names import short_name
from wicc_flow.summaries.sitrep_returns import sitrep_freshness, sitrep_section
from wicc_shared.catalogue.patients import DischargeSitrepUpdated

# Order of organisations: acute trusts first (their beds lead the page), then the rest.
KIND_ORDER = {"acute": 0, "community": 1, "mental_health": 2}
PATIENTS_FRESH_FOR = timedelta(hours=2)


@dataclass(frozen=True)
class Inputs:
    reference: Reference
    board: BoardInputs
    history: History
    build: Build
    # Patient flow: each trust's latest discharge sitrep for the day, lost bed days per
    # subject and day, and the delay reasons' labels (see `patient_inputs.py`).
    discharge_sitreps: Sequence[DischargeSitrepUpdated] = ()
    lost_bed_days: Mapping[str, Mapping[date, int]] = field(default_factory=dict)
    reason_label: Callable[[str], str] = str
    # Patients becoming ready per day and pathway, the days before (the outlook's base).
    became_ready: Mapping[date, Mapping[Pathway, int]] = field(default_factory=dict)
    # The board's OPEL entry per subject (system code or ODS code): `opel_entries`.
    opel: Mapping[str, Mapping[str, Any]] = field(default_factory=dict)


def assemble(inputs: Inputs) -> SummaryDocument:
    ref, build = inputs.reference, inputs.build
    counts = bed_counts(inputs)
    shown = shown_organisations(ref, counts)
    system = _area(inputs, ref.system.code, ref.system.name, "System", "system", counts)
    organisations = [
        _area(inputs, org.ods, org.name, short_name(org.name), org.kind, counts) for org in shown
    ]
    care = care_section(inputs.board.care, ref.localities, _demand(inputs))
    sitreps = sitrep_section(ref, inputs.board.sitreps, build.day - timedelta(days=1), build.now)
    document = SummaryDocument(
        day=build.day,
        timezone=ref.system.timezone,
        build=BuildInfo(
            version=build.version, built_at=build.now, built_by=BuildTrigger(build.trigger)
        ),
        system=system,
        organisations=organisations,
        freshness=[
            *bed_sources(ref, counts, build),
            *care_freshness(
                inputs.board.care,
                ref.care_services,
                {t: build.care_limit(t) for t in _care_types()},
                build.now,
            ),
            sitrep_freshness(sitreps, build.now),
            *patient_sources(inputs),
            *opel_sources(inputs.opel, _opel_names(ref), build.now),
        ],
        changes=[],
        caveats=[note] if (note := inputs.history.coverage_note()) else [],
        care=care,
        sitreps=sitreps,
        outlook=outlook_of(
            inputs.history, inputs.became_ready, _system_capacity(inputs), inputs.build.now
        ),
        trends=trends([system, *organisations], inputs.history),
    )
    return document.model_copy(update={"changes": document_changes(document)})


def _opel_names(ref: Reference) -> dict[str, str]:
    names = {org.ods: short_name(org.name) for org in ref.organisations}
    return names | {ref.system.code: "whole system"}


# -- beds ----------------------------------------------------------------------------


def bed_counts(inputs: Inputs) -> dict[str, BedCount | None]:
    """Adult G&A beds by area code: each organisation, and the system (their sum)."""
    units = {unit.unit_id: unit for unit in inputs.board.units}
    sitreps = {entry.org: entry for entry in inputs.board.sitreps}
    ref = inputs.reference
    counts = {
        org.ods: org_count(org, units, sitreps.get(org.ods), ref.system)
        for org in ref.organisations
    }
    counts[ref.system.code] = sum_counts(counts.values())
    return counts


def shown_organisations(ref: Reference, counts: Mapping[str, BedCount | None]) -> list[OrgRef]:
    """Organisations holding beds (they send sitreps), or with bed figures."""
    shown = [o for o in ref.organisations if o.holds_units or counts.get(o.ods) is not None]
    return sorted(shown, key=lambda o: (KIND_ORDER.get(o.kind, 9), o.name))


def bed_position(inputs: Inputs, code: str, count: BedCount | None) -> BedPosition | None:
    if count is None:
        return None
    source = (
        sources.system_beds(code)
        if code == inputs.reference.system.code
        else sources.org_beds(code)
    )
    today = bed_figures(count, source, inputs.build.now)
    if today is None:
        return None
    history = inputs.history
    return BedPosition(
        occupancy=history.tracked(code, OCCUPANCY, today.occupancy),
        occupancy_core=history.tracked(code, OCCUPANCY_CORE, today.occupancy_core),
        escalation_beds_open=history.tracked(code, ESCALATION_OPEN, today.escalation_open),
        beds_closed_infection=history.tracked(code, CLOSED_INFECTION, today.closed_infection),
    )


def bed_sources(
    ref: Reference, counts: Mapping[str, BedCount | None], build: Build
) -> list[SourceFreshness]:
    """Every organisation with adult G&A beds or figures, then the system."""
    found = [
        bed_freshness(
            sources.org_beds(org.ods),
            f"Bed figures, {short_name(org.name)} (adult G&A)",
            counts.get(org.ods),
            build.now,
        )
        for org in ref.organisations
        if org.ga_units or counts.get(org.ods) is not None
    ]
    if found:
        found.append(
            bed_freshness(
                sources.system_beds(ref.system.code),
                "Bed figures, whole system (adult G&A)",
                counts.get(ref.system.code),
                build.now,
            )
        )
    return found


# -- areas ---------------------------------------------------------------------------


def _area(
    inputs: Inputs,
    code: str,
    name: str,
    short: str,
    kind: str,
    counts: Mapping[str, BedCount | None],
) -> Area:
    return Area(
        code=code,
        name=name,
        short_name=short,
        kind=kind,
        opel=opel_status(code, inputs.opel.get(code), inputs.history, inputs.build.now),
        beds=bed_position(inputs, code, counts.get(code)),
        patients=area_patients(inputs, code),
    )


def area_patients(inputs: Inputs, code: str) -> PatientsReady | None:
    """None while the area has no discharge sitrep for the day."""
    counted = _sitreps_of(inputs, code)
    counts = counts_of(counted)
    stale = counts is not None and inputs.build.now - counts.as_of > PATIENTS_FRESH_FOR
    return patients_ready(
        code,
        counts,
        inputs.lost_bed_days.get(code, {}),
        inputs.history,
        label=inputs.reason_label,
        stale=stale,
    )


def patient_sources(inputs: Inputs) -> list[SourceFreshness]:
    codes = sorted({s.org for s in inputs.discharge_sitreps})
    if codes:
        codes.append(inputs.reference.system.code)
    found = []
    for code in codes:
        counts = counts_of(_sitreps_of(inputs, code))
        found.append(
            source_freshness(
                patients_source(code),
                f"Patients ready to leave, {code}",
                counts.as_of if counts else None,
                PATIENTS_FRESH_FOR,
                inputs.build.now,
            )
        )
    return found


def _sitreps_of(inputs: Inputs, code: str) -> list[DischargeSitrepUpdated]:
    if code == inputs.reference.system.code:
        return list(inputs.discharge_sitreps)
    return [s for s in inputs.discharge_sitreps if s.org == code]


def _demand(inputs: Inputs) -> dict[tuple[str, Pathway], Figure] | None:
    """Patients waiting per locality and pathway, when any discharge sitrep says."""
    if not inputs.discharge_sitreps:
        return None
    counts = counts_of(inputs.discharge_sitreps)
    assert counts is not None
    code = inputs.reference.system.code
    stale = inputs.build.now - counts.as_of > PATIENTS_FRESH_FOR
    return {
        key: Figure(
            value=n,
            unit=Unit.patients,
            source=patients_source(code),
            as_of=counts.as_of,
            stale=stale,
        )
        for key, n in waiting(inputs.discharge_sitreps).items()
    }


def _care_types() -> list[str]:
    return [t for types in pathways().values() for t in types]


def _system_capacity(inputs: Inputs) -> dict[Pathway, Figure | None]:
    return {
        pathway: pathway_capacity(inputs.board.care, None, types)
        for pathway, types in pathways().items()
    }


# -- trends --------------------------------------------------------------------------


def trends(areas: Sequence[Area], history: History) -> Trends | None:
    """Occupancy per organisation with beds, and the system's patients ready to leave."""
    system, *organisations = areas
    occupancy = [
        Trend(
            subject=a.code,
            label=a.short_name,
            points=history.trend(a.code, OCCUPANCY, a.beds.occupancy.today),
        )
        for a in organisations
        if a.beds is not None
    ]
    ready = None
    if system.patients is not None:
        ready = Trend(
            subject=system.code,
            label="Ready to leave (system)",
            points=history.trend(system.code, PATIENTS_READY, system.patients.total.today),
        )
    if not occupancy and ready is None:
        return None
    return Trends(occupancy=occupancy, discharge_ready=ready)
