"""Which care outside hospital takes the patients of each discharge pathway, and which
reported figure says how much of it is free now.

| pathway | service types | figure counted as free |
|---|---|---|
| 1 home with new support | dom_care, reablement | package_starts_per_day |
| 2 short-term bed | intermediate_care_step_down, community_hospital | beds_vacant_accepting |
| 3 care home | care_home (each bed category) | beds_vacant_accepting |

Pathway 0 (home, no new support) needs no new care, so it has no line. Step-up
intermediate care and urgent care at home keep people out of hospital rather than take
them from it, so they serve no pathway here.

The flow service's demand-against-capacity report and the board's demand section both
use this one mapping, so the two never disagree about what "free" means.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Final

from wicc_shared.kernel.reference import CareServiceType

PATHWAY_SERVICES: Final[Mapping[int, tuple[CareServiceType, ...]]] = {
    1: (CareServiceType.dom_care, CareServiceType.reablement),
    2: (CareServiceType.intermediate_care_step_down, CareServiceType.community_hospital),
    3: (CareServiceType.care_home,),
}
# The figure (as the capacity service names it) that says how much is free now.
FREE_FIGURE: Final[Mapping[CareServiceType, str]] = {
    CareServiceType.dom_care: "package_starts_per_day",
    CareServiceType.reablement: "package_starts_per_day",
    CareServiceType.intermediate_care_step_down: "beds_vacant_accepting",
    CareServiceType.community_hospital: "beds_vacant_accepting",
    CareServiceType.care_home: "beds_vacant_accepting",
}


def pathway_of(service_type: CareServiceType | str) -> int | None:
    """The pathway a service type takes patients for, or None when it serves none."""
    for pathway, types in PATHWAY_SERVICES.items():
        if service_type in types:
            return pathway
    return None


def free_of(service_type: CareServiceType | str, figures: Mapping[str, object]) -> int | None:
    """The free-capacity figure of a service from its reported figures (named as the
    capacity service names them), or None when the type serves no pathway or the
    figure is missing."""
    name = FREE_FIGURE.get(CareServiceType(service_type))
    value = figures.get(name) if name else None
    return value if isinstance(value, int) and not isinstance(value, bool) else None
