"""The care-capacity events capacity announces, built from its own objects."""

from __future__ import annotations

from collections.abc import Mapping, Sequence

from wicc_capacity.care.schemas import CareCapacityRead
from wicc_shared.catalogue.care import CareCapacityUpdated, CareFiguresRow, stored_figures
from wicc_shared.kernel.models import CareService, Organisation
from wicc_shared.rules.care_freshness import freshness_limit


def care_capacity_updated(
    org: Organisation,
    service: CareService,
    reads: Sequence[CareCapacityRead],
    freshness_hours: Mapping[str, float],
) -> CareCapacityUpdated:
    """One provider's whole current picture of one service (one row per category)."""
    first = reads[0]
    names = stored_figures(first.service_type)
    return CareCapacityUpdated(
        provider=org.ods,
        provider_name=org.name,
        service_type=first.service_type,
        localities=service.localities,
        as_of=first.as_of,
        fresh_until=first.fresh_until,
        freshness_hours=freshness_limit(first.service_type, freshness_hours).total_seconds() / 3600,
        version=first.version,
        figures=[
            CareFiguresRow(category=r.category, **{name: getattr(r, name) for name in names})
            for r in reads
        ],
        system=org.system_code,
    )
