"""The sitrep events capacity announces, built from its own objects."""

from __future__ import annotations

import datetime as dt

from wicc_capacity.sitreps.schemas import SitrepRead
from wicc_shared.catalogue.sitreps import SitrepMissed, SitrepRecorded
from wicc_shared.kernel.models import Organisation


def sitrep_recorded(read: SitrepRead, org: Organisation) -> SitrepRecorded:
    """Aggregate figures only: who sent it and the amendment reason stay in capacity."""
    return SitrepRecorded(
        org=read.org,
        date=read.date,
        version=read.version,
        figures=read.figures,
        totals=read.totals,
        submitted_at=read.submitted_at,
        amended_at=read.amended_at,
        deadline=read.deadline,
        late=read.late,
        system=org.system_code,
        locality=org.locality_code,
    )


def sitrep_missed(org: Organisation, date: dt.date, deadline: dt.datetime) -> SitrepMissed:
    return SitrepMissed(
        org=org.ods,
        name=org.name,
        kind=org.kind,
        system=org.system_code,
        locality=org.locality_code,
        date=date,
        deadline=deadline,
    )
