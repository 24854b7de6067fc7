"""England-scale patient flow for the summary benchmark: discharge-ready records spread
over the acute trusts (most ready in the last week, some for weeks, a fifth already
gone), and each trust's discharge sitrep for the day as patient flow derives it, with
the same counting rules. Deterministic (seeded); no NHS numbers."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from typing import Any
from zoneinfo import ZoneInfo

from bench.england import LOCALITIES, Scale, system_code, trusts_of
from wicc_flow.discharge_sitrep.events import sitrep_updated
from wicc_flow.discharge_sitrep.recount import Day
from wicc_flow.patients.conversion import to_stay
from wicc_flow.patients.delay_reasons import DelayReasons
from wicc_flow.patients.discharge_sitrep import derive
from wicc_flow.patients.models import Patient
from wicc_shared.catalogue.patients import DischargeSitrepUpdated

PATIENTS = 15_000
LONDON = ZoneInfo("Europe/London")
# What each pathway most often waits for (national NCTR codes), and who is responsible.
WAITS = {
    0: ("medical", "health"),
    1: ("p1_care_at_home", "both"),
    2: ("p2_bed", "both"),
    3: ("p3_care_home", "social_care"),
}


def patients(
    scale: Scale, now: dt.datetime, total: int = PATIENTS, seed: int = 19
) -> list[Patient]:
    """`total` records over every acute trust of every system, in turn."""
    rng = random.Random(seed)
    places = [
        (trust, system_code(i)) for i in range(scale.systems) for trust in trusts_of(scale, i)
    ]
    return [_patient(rng, n, *places[n % len(places)], now) for n in range(total)]


def _patient(rng: random.Random, n: int, trust: str, system: str, now: dt.datetime) -> Patient:
    ready = now.date() - dt.timedelta(days=min(55, int(rng.expovariate(1 / 6))))
    admitted = dt.datetime.combine(ready, dt.time(10), dt.UTC) - dt.timedelta(
        days=rng.randint(1, 20)
    )
    pathway = rng.choice((0, 1, 1, 1, 2, 2, 3))
    reason, responsible = WAITS[pathway]
    gone = rng.random() < 0.2
    closed = (
        min(
            now,
            dt.datetime.combine(ready, dt.time(15), dt.UTC) + dt.timedelta(days=rng.randint(0, 5)),
        )
        if gone
        else None
    )
    return Patient(
        id=uuid.UUID(int=rng.getrandbits(128)),
        org_ods=trust,
        system_code=system,
        unit_id=f"{trust}-W{n % 8}",
        local_ref=f"B{n:06d}",
        admitted_at=admitted,
        discharge_ready_date=ready,
        pathway=pathway,
        destination_locality=LOCALITIES[n % len(LOCALITIES)],
        delays=[
            {"reason": reason, "responsible": responsible, "from": ready.isoformat(), "to": None}
        ],
        status="discharged" if gone else "ready",
        discharged_at=closed,
        destination="home" if gone else None,
        closed_at=closed,
        created_at=admitted,
        created_by="bench",
        updated_at=closed or admitted,
        updated_by="bench",
    )


def discharge_sitreps(
    records: list[Patient], reasons: DelayReasons, now: dt.datetime
) -> Iterator[tuple[str, DischargeSitrepUpdated]]:
    """Each trust's `discharge_sitrep.updated` for today, derived as patient flow does."""
    by_trust: dict[tuple[str, str], list[Any]] = {}
    for record in records:
        by_trust.setdefault((record.org_ods, record.system_code), []).append(to_stay(record))
    day = Day.of(now, LONDON)
    for (trust, system), stays in sorted(by_trust.items()):
        sitrep = derive(stays, org=trust, day=day.day, reasons=reasons, tz=LONDON)
        yield (
            trust,
            sitrep_updated(sitrep, stays, system=system, tz=LONDON, as_of=now, valid_until=day.end),
        )
