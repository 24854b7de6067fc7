"""`discharge_sitrep.updated` events for board tests, with keyword defaults."""

from __future__ import annotations

from datetime import UTC, date, datetime, timedelta
from typing import Any

from tests.builders.events import event_of
from wicc_shared.catalogue import DISCHARGE_SITREP_UPDATED
from wicc_shared.catalogue.patients import DischargeSitrepUpdated
from wicc_shared.events.envelope import Event

DAY = date(2026, 11, 23)
AS_OF = datetime(2026, 11, 23, 9, tzinfo=UTC)
BANDS = ("0", "1", "2-3", "4-6", "7-13", "14-20", "21+")


def discharge_sitrep(
    org: str = "RNZ",
    *,
    system: str = "wiltshire",
    day: date = DAY,
    as_of: datetime = AS_OF,
    pathways: tuple[int, int, int, int] = (2, 3, 1, 1),
    discharged: int = 1,
    waiting: dict[tuple[str, int], int] | None = None,
    lost_bed_days: int = 12,
) -> DischargeSitrepUpdated:
    """A trust's counts: `pathways` are the remaining patients of pathways 0-3; one more
    patient of pathway 0 per `discharged`."""
    remaining = sum(pathways)
    by_pathway = [
        {
            "pathway": p,
            "nctr_patients": n + (discharged if p == 0 else 0),
            "discharged": discharged if p == 0 else 0,
            "remaining": n,
        }
        for p, n in enumerate(pathways)
    ]
    waits = (
        waiting if waiting is not None else {("south", p): n for p, n in enumerate(pathways) if n}
    )
    fields: dict[str, Any] = dict(
        org=org,
        system=system,
        date=day,
        as_of=as_of,
        valid_until=datetime.combine(day + timedelta(days=1), datetime.min.time(), UTC),
        nctr_patients=remaining + discharged,
        discharged=discharged,
        remaining=remaining,
        by_pathway=by_pathway,
        by_reason=[{"reason": "none_recorded", "remaining": remaining}],
        bands=[{"band": b, "patients": 0, "bed_days": 0} for b in BANDS],
        lost_bed_days=lost_bed_days,
        waiting=[
            {"locality": loc, "pathway": p, "patients": n} for (loc, p), n in sorted(waits.items())
        ],
        reasons_version="delay-reasons-v1",
    )
    return DischargeSitrepUpdated(**fields)


def discharge_sitrep_event(**kwargs: Any) -> Event:
    return event_of(DISCHARGE_SITREP_UPDATED, discharge_sitrep(**kwargs))
