"""The bed-level events capacity announces, built from its own objects."""

from __future__ import annotations

from wicc_capacity.bed_status.models import BedStatus
from wicc_shared.catalogue.beds import BedStatusCode, BedStatusUpdated
from wicc_shared.kernel.models import Organisation


def bed_status_updated(bed: BedStatus, org: Organisation) -> BedStatusUpdated:
    return BedStatusUpdated(
        unit_id=bed.unit_id,
        bed_id=bed.bed_id,
        org=org.ods,
        system=org.system_code,
        status=BedStatusCode(bed.status),
        escalation=bed.escalation,
        as_of=bed.as_of,
        reported_by=bed.reported_by,
    )
