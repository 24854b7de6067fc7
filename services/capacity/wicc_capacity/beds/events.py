"""The bed events capacity announces, built from its own objects."""

from __future__ import annotations

from wicc_capacity.beds.schemas import BedStateRead
from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.kernel.models import Organisation


def beds_updated(read: BedStateRead, org: Organisation) -> BedsUpdated:
    """The unit's whole current figure, as the board and every consumer keep it."""
    # A unit's figure is announced only once recorded, so these are set.
    assert read.as_of is not None
    assert read.reported_by is not None
    assert read.updated_at is not None
    return BedsUpdated(
        unit_id=read.unit_id,
        org=read.org,
        site=read.site,
        bed_area=read.bed_area,  # validated into BedArea
        core_open=read.core_open,
        escalation_open=read.escalation_open,
        open=read.open,
        occupied=read.occupied,
        available=read.available,
        occupancy_pct=read.occupancy_pct,
        closed=read.closed,
        closed_total=read.closed_total,
        as_of=read.as_of,
        reported_by=read.reported_by,
        updated_at=read.updated_at,
        version=read.version,
        system=org.system_code,
        locality=org.locality_code,
    )
