"""`discharge_sitrep.updated` from a derived sitrep: counts only."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from datetime import datetime, tzinfo

from wicc_flow.patients.discharge_sitrep import DischargeSitrep, Status, status_on
from wicc_flow.patients.records import PatientStay
from wicc_shared.catalogue.patients import (
    BandCount,
    DischargeSitrepUpdated,
    PathwayCount,
    ReasonCount,
    WaitingCount,
)


def sitrep_updated(
    sitrep: DischargeSitrep,
    stays: Iterable[PatientStay],
    *,
    system: str,
    tz: tzinfo,
    as_of: datetime,
    valid_until: datetime,
) -> DischargeSitrepUpdated:
    return DischargeSitrepUpdated(
        org=sitrep.org,
        system=system,
        date=sitrep.date,
        as_of=as_of,
        valid_until=valid_until,
        nctr_patients=sitrep.nctr_patients,
        discharged=sitrep.discharged,
        remaining=sitrep.remaining,
        by_pathway=[
            PathwayCount(
                pathway=int(p.pathway),
                nctr_patients=p.nctr_patients,
                discharged=p.discharged,
                remaining=p.remaining,
            )
            for p in sitrep.by_pathway
        ],
        by_reason=[ReasonCount(reason=r.reason, remaining=r.remaining) for r in sitrep.by_reason],
        bands=[
            BandCount(band=t.band.label, patients=t.patients, bed_days=t.bed_days)
            for t in sitrep.remaining_bands
        ],
        lost_bed_days=sum(t.bed_days for t in sitrep.remaining_bands),
        waiting=waiting(stays, sitrep, tz),
        reasons_version=sitrep.reasons_version,
    )


def waiting(
    stays: Iterable[PatientStay], sitrep: DischargeSitrep, tz: tzinfo
) -> list[WaitingCount]:
    """The remaining patients by destination locality and pathway."""
    counts = Counter(
        (stay.destination_locality, int(stay.pathway))
        for stay in stays
        if stay.org == sitrep.org and status_on(stay, sitrep.date, tz) is Status.remaining
    )
    return [
        WaitingCount(locality=locality, pathway=pathway, patients=n)
        for (locality, pathway), n in sorted(counts.items())
    ]
