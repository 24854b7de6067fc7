"""England-scale data for the summary benchmark: 42 care systems, 130 acute trusts,
their wards, care providers, yesterday's sitreps, this morning's bed reports and
eight weeks of earlier summaries' daily figures. Deterministic (seeded)."""

from __future__ import annotations

import datetime as dt
import random
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from typing import Any

from wicc_shared.catalogue import (
    BEDS_UPDATED,
    CARE_CAPACITY_UPDATED,
    SITREP_MISSED,
    SITREP_SUBMITTED,
)
from wicc_shared.catalogue.base import EventPayload, EventType
from wicc_shared.catalogue.beds import BedsUpdated
from wicc_shared.catalogue.care import CareCapacityUpdated, CareFiguresRow
from wicc_shared.catalogue.sitreps import SitrepMissed, SitrepRecorded, SitrepTotals
from wicc_shared.events.envelope import Event
from wicc_shared.kernel.reference import CareServiceType, ReferenceFile

LOCALITIES = ("north", "central", "south")
UNITS_PER_TRUST = 8
HISTORY_DAYS = 56


@dataclass(frozen=True)
class Scale:
    systems: int = 42
    trusts: int = 130
    units_per_trust: int = UNITS_PER_TRUST


def system_code(i: int) -> str:
    return f"ics{i:02d}"


def trusts_of(scale: Scale, i: int) -> list[str]:
    """Trust codes of system `i`: the trusts spread as evenly as they go."""
    return [f"T{t:03d}" for t in range(scale.trusts) if t % scale.systems == i]


def reference_files(scale: Scale) -> Iterator[ReferenceFile]:
    for i in range(scale.systems):
        yield ReferenceFile.model_validate(_system(scale, i))


def _system(scale: Scale, i: int) -> dict[str, Any]:
    code = system_code(i)
    orgs: list[dict[str, Any]] = [
        {
            "ods": trust,
            "name": f"{trust} Hospitals NHS Foundation Trust",
            "kind": "acute",
            "locality": LOCALITIES[n % 3],
            "sites": [
                {
                    "code": f"{trust}-S",
                    "name": f"{trust} General Hospital",
                    "units": [
                        {
                            "id": f"{trust}-W{u}",
                            "name": f"Ward {u}",
                            "bed_area": "adult_ga",
                            "baseline_beds": 30,
                        }
                        for u in range(scale.units_per_trust)
                    ],
                }
            ],
        }
        for n, trust in enumerate(trusts_of(scale, i))
    ]
    orgs += [
        {
            "ods": f"{code}-CP{n}",
            "name": f"Care provider {n} of {code}",
            "kind": "care_provider",
            "care_services": [{"type": kind, "localities": [place]}],
        }
        for n, (kind, place) in enumerate(_provided())
    ]
    return {
        "system": {
            "code": code,
            "name": f"Integrated care system {i:02d}",
            "localities": [{"code": c, "name": c.title()} for c in LOCALITIES],
        },
        "organisations": orgs,
    }


def _provided() -> Iterator[tuple[str, str]]:
    for place in LOCALITIES:
        for kind in ("dom_care", "reablement", "intermediate_care_step_down", "care_home"):
            yield kind, place


def event_of(event_type: EventType[Any], payload: EventPayload) -> Event:
    return Event(
        id=uuid.uuid4(),
        type=event_type.name,
        source=f"/{event_type.producer}",
        subject=event_type.subject(payload),
        dataschema=event_type.dataschema,
        data=payload.model_dump(mode="json"),
    )


def board_events(scale: Scale, now: dt.datetime, seed: int = 13) -> list[Event]:
    """Yesterday's sitreps (some late, some missed), this morning's bed reports and the
    care providers' figures, in the order they would reach the log."""
    rng = random.Random(seed)
    yesterday = now.date() - dt.timedelta(days=1)
    deadline = dt.datetime.combine(yesterday, dt.time(11, 0), tzinfo=dt.UTC)
    events = []
    for i in range(scale.systems):
        code = system_code(i)
        for trust in trusts_of(scale, i):
            events.append(_sitrep(rng, trust, code, yesterday, deadline))
            events += [
                _beds(rng, f"{trust}-W{u}", trust, code, now) for u in range(scale.units_per_trust)
            ]
        events += [
            _care(rng, f"{code}-CP{n}", kind, place, code, now)
            for n, (kind, place) in enumerate(_provided())
        ]
    return events


def _sitrep(
    rng: random.Random, trust: str, system: str, day: dt.date, deadline: dt.datetime
) -> Event:
    if rng.random() < 0.1:
        missed = SitrepMissed(
            org=trust,
            name=trust,
            kind="acute",
            system=system,
            locality=None,
            date=day,
            deadline=deadline,
        )
        return event_of(SITREP_MISSED, missed)
    submitted = deadline + dt.timedelta(minutes=rng.randint(-120, 60))
    figures = {
        "beds": [
            {
                "bed_area": "adult_ga",
                "core_open": 240,
                "core_occupied": 228,
                "escalation_open": 8,
                "escalation_occupied": 8,
            }
        ],
        "los_7_plus": 90,
        "los_14_plus": 45,
        "los_21_plus": 20,
        "beds_closed_dv": 2,
        "nctr_patients": 40,
    }
    totals = SitrepTotals(
        open=248, occupied=236, occupancy_pct=95.2, escalation_open=8, nctr_pct_of_occupied=16.9
    )
    recorded = SitrepRecorded(
        org=trust,
        date=day,
        version=1,
        figures=figures,
        totals=totals,
        submitted_at=submitted,
        amended_at=None,
        deadline=deadline,
        late=submitted > deadline,
        system=system,
        locality=None,
    )
    return event_of(SITREP_SUBMITTED, recorded)


def _beds(rng: random.Random, unit: str, trust: str, system: str, now: dt.datetime) -> Event:
    core, escalation = 30, rng.choice((0, 0, 2, 4))
    occupied = min(core + escalation, rng.randint(24, 34))
    closed = rng.choice((0, 0, 2))
    as_of = now - dt.timedelta(minutes=rng.randint(5, 600))
    payload = BedsUpdated(
        unit_id=unit,
        org=trust,
        site=f"{trust}-S",
        bed_area="adult_ga",
        core_open=core,
        escalation_open=escalation,
        open=core + escalation,
        occupied=occupied,
        available=core + escalation - occupied,
        occupancy_pct=round(100 * occupied / (core + escalation), 1),
        closed=[{"reason": "infection_control", "count": closed}] if closed else [],
        closed_total=closed,
        as_of=as_of,
        reported_by="bench",
        updated_at=as_of,
        version=1,
        system=system,
        locality=None,
    )
    return event_of(BEDS_UPDATED, payload)


def _care(
    rng: random.Random, provider: str, kind: str, place: str, system: str, now: dt.datetime
) -> Event:
    as_of = now - dt.timedelta(hours=rng.randint(1, 14))
    if kind in ("dom_care", "reablement"):
        rows = [CareFiguresRow(category=None, package_starts_per_day=rng.randint(0, 6))]
    else:
        rows = [
            CareFiguresRow(
                category="nursing" if kind == "care_home" else None,
                beds_max=30,
                beds_occupied=27,
                beds_vacant_reserved=1,
                beds_vacant_accepting=rng.randint(0, 3),
            )
        ]
    payload = CareCapacityUpdated(
        provider=provider,
        provider_name=provider,
        service_type=CareServiceType(kind),
        localities=[place],
        as_of=as_of,
        fresh_until=as_of + dt.timedelta(hours=24),
        freshness_hours=24,
        version=1,
        figures=rows,
        system=system,
    )
    return event_of(CARE_CAPACITY_UPDATED, payload)


def history_rows(scale: Scale, day: dt.date, seed: int = 17) -> Iterator[dict[str, Any]]:
    """Eight weeks of earlier summaries' bed figures for every system and trust."""
    rng = random.Random(seed)
    for i in range(scale.systems):
        code = system_code(i)
        for back in range(1, HISTORY_DAYS + 1):
            when = dt.datetime.combine(day - dt.timedelta(days=back), dt.time(8, 0), tzinfo=dt.UTC)
            for subject in (code, *trusts_of(scale, i)):
                for metric, unit, value in (
                    ("beds.occupancy", "percent", round(rng.uniform(88, 99), 1)),
                    ("beds.occupancy_core", "percent", round(rng.uniform(90, 104), 1)),
                    ("beds.escalation_open", "beds", float(rng.randint(0, 30))),
                    ("beds.closed_infection", "beds", float(rng.randint(0, 12))),
                ):
                    yield {
                        "system_code": code,
                        "day": when.date(),
                        "subject": subject,
                        "metric": metric,
                        "value": value,
                        "unit": unit,
                        "source": "bench",
                        "as_of": when,
                        "stale": False,
                        "recorded_at": when,
                    }
