"""Builders of daily-summary documents: a realistic Wiltshire day by default.

Every builder takes keywords with realistic defaults, so a test states only what
it is about. The default day is Thursday 3 December 2026, built at 08:30 (UTC is
London time in December).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import UTC, date, datetime, timedelta
from typing import Any

from wicc_flow.summaries.changes import document_changes
from wicc_flow.summaries.codes import DelayBand, Pathway
from wicc_flow.summaries.document import (
    Area,
    BedPosition,
    BuildInfo,
    BuildTrigger,
    CareCapacitySection,
    OpelStatus,
    Outlook,
    PatientsReady,
    ReasonCount,
    SitrepReturn,
    SitrepSection,
    SitrepStatus,
    SourceFreshness,
    SummaryDocument,
    Trend,
    TrendPoint,
    Trends,
    capacity_demand,
    source_freshness,
)
from wicc_flow.summaries.figures import Figure, Tracked, Unit, tracked
from wicc_flow.summaries.outlook import outlook

DAY = date(2026, 12, 3)
AS_OF = datetime(2026, 12, 3, 8, 0, tzinfo=UTC)
BUILT_AT = datetime(2026, 12, 3, 8, 30, tzinfo=UTC)

BEDS = "capacity:/capacity/v1/beds"
OPEL = "escalation:/escalation/v1/opel"
PATIENTS = "flow:/flow/v1/patients"
CARE = "capacity:/capacity/v1/care-capacity"
SITREPS = "capacity:/capacity/v1/sitreps/status"

# Delay reasons of the national acute discharge sitrep used below (code, label).
REASONS = {
    "1": "Awaiting a medical decision or intervention",
    "6": "Awaiting referral to the hub",
    "13": "P1: awaiting resource for assessment and start of care at home",
    "14": "P2: awaiting a community or rehab bed",
    "15": "P3: awaiting a residential or nursing home bed",
    "11": "Individual or family not in agreement",
}


def figure(
    value: float,
    unit: Unit = Unit.patients,
    *,
    source: str = PATIENTS,
    as_of: datetime = AS_OF,
    stale: bool = False,
) -> Figure:
    return Figure(value=value, unit=unit, source=source, as_of=as_of, stale=stale)


def tracked_figure(
    today: float,
    yesterday: float | None = None,
    mean_7d: float | None = None,
    *,
    unit: Unit = Unit.patients,
    source: str = PATIENTS,
    as_of: datetime = AS_OF,
    stale: bool = False,
) -> Tracked:
    def make(value: float | None, when: datetime) -> Figure | None:
        if value is None:
            return None
        return figure(value, unit, source=source, as_of=when, stale=stale)

    made = make(today, as_of)
    assert made is not None
    return tracked(made, make(yesterday, as_of - timedelta(days=1)), make(mean_7d, as_of))


def opel_status(
    *,
    calculated: int = 2,
    declared: int | None = None,
    level_yesterday: int | None = 2,
    score: int = 14,
    score_yesterday: int | None = 13,
    open_actions: int = 3,
    overdue: int = 0,
    overdue_yesterday: int | None = 0,
) -> OpelStatus:
    def level(value: int) -> Figure:
        return figure(value, Unit.opel_level, source=OPEL)

    in_force = declared if declared is not None else calculated
    return OpelStatus(
        level=tracked_figure(in_force, level_yesterday, unit=Unit.opel_level, source=OPEL),
        calculated_level=level(calculated),
        declared_level=level(declared) if declared is not None else None,
        score=tracked_figure(score, score_yesterday, unit=Unit.score, source=OPEL),
        open_actions=figure(open_actions, Unit.actions, source=OPEL),
        overdue_actions=tracked_figure(overdue, overdue_yesterday, unit=Unit.actions, source=OPEL),
    )


def bed_position(
    *,
    occupancy: float = 93.2,
    occupancy_yesterday: float | None = 92.5,
    occupancy_mean: float | None = 92.1,
    core: float = 95.1,
    core_yesterday: float | None = 94.6,
    core_mean: float | None = 94.0,
    escalation: int = 4,
    escalation_yesterday: int | None = 4,
    escalation_mean: float | None = 3.6,
    infection: int = 2,
    infection_yesterday: int | None = 2,
    infection_mean: float | None = 1.7,
) -> BedPosition:
    def pct(today: float, yesterday: float | None, mean: float | None) -> Tracked:
        return tracked_figure(today, yesterday, mean, unit=Unit.percent, source=BEDS)

    def beds(today: int, yesterday: int | None, mean: float | None) -> Tracked:
        return tracked_figure(today, yesterday, mean, unit=Unit.beds, source=BEDS)

    return BedPosition(
        occupancy=pct(occupancy, occupancy_yesterday, occupancy_mean),
        occupancy_core=pct(core, core_yesterday, core_mean),
        escalation_beds_open=beds(escalation, escalation_yesterday, escalation_mean),
        beds_closed_infection=beds(infection, infection_yesterday, infection_mean),
    )


# Patients ready to leave of one trust: per pathway, counts per delay band (0 .. 21+).
Bands = Mapping[Pathway, Sequence[int]]

DEFAULT_BANDS: Bands = {
    Pathway.p0: (6, 3, 3, 2, 1, 0, 0),
    Pathway.p1: (3, 3, 4, 5, 5, 2, 2),
    Pathway.p2: (1, 1, 1, 2, 1, 1, 0),
    Pathway.p3: (0, 0, 1, 1, 1, 1, 2),
}


def patients_ready(
    *,
    bands: Bands = DEFAULT_BANDS,
    yesterday: int | None = None,
    mean_7d: float | None = None,
    reasons: Mapping[str, int] | None = None,
    lost_yesterday: int = 38,
    lost_7d: int = 251,
) -> PatientsReady:
    """Totals are the sums of `bands`; `yesterday` defaults to today's total less 4."""
    cross = {p: dict(zip(DelayBand, bands[p], strict=True)) for p in Pathway}
    total = sum(sum(row.values()) for row in cross.values())
    by_reason = reasons if reasons is not None else {"13": total // 3, "1": total // 6}
    return PatientsReady(
        total=tracked_figure(total, total - 4 if yesterday is None else yesterday, mean_7d),
        by_pathway={p: figure(sum(cross[p].values())) for p in Pathway},
        by_band={b: figure(sum(cross[p][b] for p in Pathway)) for b in DelayBand},
        by_pathway_band={p: {b: figure(n) for b, n in cross[p].items()} for p in Pathway},
        by_reason=[
            ReasonCount(code=code, label=REASONS[code], count=figure(n))
            for code, n in sorted(by_reason.items(), key=lambda item: (-item[1], item[0]))
        ],
        lost_bed_days_yesterday=figure(lost_yesterday, Unit.bed_days),
        lost_bed_days_7d=figure(lost_7d, Unit.bed_days),
    )


def system_patients(trusts: Sequence[Bands], **kwargs: Any) -> PatientsReady:
    summed = {p: [sum(b[p][i] for b in trusts) for i in range(7)] for p in Pathway}
    return patients_ready(bands=summed, **kwargs)


SALISBURY_BANDS: Bands = {
    Pathway.p0: (7, 3, 2, 1, 1, 0, 0),
    Pathway.p1: (3, 2, 4, 4, 3, 2, 2),
    Pathway.p2: (1, 1, 2, 1, 1, 0, 1),
    Pathway.p3: (0, 0, 0, 1, 1, 1, 2),
}
GREAT_WESTERN_BANDS: Bands = {
    Pathway.p0: (9, 4, 3, 2, 1, 1, 0),
    Pathway.p1: (5, 4, 6, 7, 8, 4, 3),
    Pathway.p2: (2, 1, 2, 3, 2, 1, 2),
    Pathway.p3: (0, 1, 1, 1, 2, 1, 3),
}
BATH_BANDS: Bands = {
    Pathway.p0: (8, 3, 3, 2, 1, 0, 0),
    Pathway.p1: (4, 4, 5, 6, 6, 3, 2),
    Pathway.p2: (1, 2, 1, 2, 2, 1, 1),
    Pathway.p3: (0, 0, 1, 1, 1, 2, 2),
}


def area(
    code: str,
    name: str,
    short_name: str,
    kind: str = "acute",
    *,
    opel: OpelStatus | None = None,
    beds: BedPosition | None = None,
    patients: PatientsReady | None = None,
) -> Area:
    return Area(
        code=code,
        name=name,
        short_name=short_name,
        kind=kind,
        opel=opel,
        beds=beds,
        patients=patients,
    )


def wiltshire_areas(*, with_opel: bool = True, with_beds: bool = True) -> list[Area]:
    """The system first, then RNZ, RN3, RD1, RVN and Wiltshire Health and Care."""

    def opel(**kwargs: Any) -> OpelStatus | None:
        return opel_status(**kwargs) if with_opel else None

    def beds(**kwargs: Any) -> BedPosition | None:
        return bed_position(**kwargs) if with_beds else None

    trusts = [SALISBURY_BANDS, GREAT_WESTERN_BANDS, BATH_BANDS]
    return [
        area(
            "wiltshire",
            "Wiltshire system",
            "System",
            "system",
            opel=opel(
                calculated=3,
                level_yesterday=2,
                score=24,
                score_yesterday=20,
                overdue=3,
                overdue_yesterday=1,
                open_actions=11,
            ),
            beds=beds(
                occupancy=95.1,
                occupancy_yesterday=93.4,
                occupancy_mean=93.0,
                core=97.2,
                core_yesterday=96.0,
                core_mean=95.8,
                escalation=22,
                escalation_yesterday=16,
                escalation_mean=15.4,
                infection=14,
                infection_yesterday=8,
                infection_mean=7.9,
            ),
            patients=system_patients(
                trusts, yesterday=171, mean_7d=180.3, lost_yesterday=140, lost_7d=902
            ),
        ),
        area(
            "RNZ",
            "Salisbury NHS Foundation Trust",
            "Salisbury",
            opel=opel(calculated=2, declared=3, level_yesterday=3, score=19, score_yesterday=18),
            beds=beds(
                occupancy=94.1,
                occupancy_yesterday=92.9,
                core=96.3,
                escalation=6,
                escalation_yesterday=5,
                infection=4,
                infection_yesterday=4,
            ),
            patients=patients_ready(bands=SALISBURY_BANDS, yesterday=45, lost_yesterday=31),
        ),
        area(
            "RN3",
            "Great Western Hospitals NHS Foundation Trust",
            "Great Western",
            opel=opel(calculated=3, level_yesterday=2, score=27, score_yesterday=21, overdue=2),
            beds=beds(
                occupancy=97.0,
                occupancy_yesterday=93.0,
                core=98.4,
                escalation=12,
                escalation_yesterday=7,
                infection=2,
                infection_yesterday=2,
            ),
            patients=patients_ready(
                bands=GREAT_WESTERN_BANDS, yesterday=80, lost_yesterday=62, lost_7d=410
            ),
        ),
        area(
            "RD1",
            "Royal United Hospitals Bath NHS Foundation Trust",
            "Bath",
            opel=opel(calculated=2, score=13, score_yesterday=14),
            beds=beds(
                occupancy=92.4,
                occupancy_yesterday=93.2,
                core=94.8,
                escalation=4,
                escalation_yesterday=4,
                infection=8,
                infection_yesterday=2,
            ),
            patients=patients_ready(bands=BATH_BANDS, yesterday=66, lost_yesterday=47),
        ),
        area(
            "RVN",
            "Avon and Wiltshire Mental Health Partnership NHS Trust",
            "AWP",
            "mental_health",
            opel=opel(calculated=2, score=11, score_yesterday=11),
        ),
        area(
            "WHC",
            "Wiltshire Health and Care",
            "Wiltshire Health and Care",
            "community",
            opel=opel(calculated=2, score=12, score_yesterday=10),
        ),
    ]


def care_section(*, stale: bool = False, as_of: datetime = AS_OF) -> CareCapacitySection:
    """Capacity in places per locality and pathway against patients waiting (P0 needs none)."""
    plan = {  # (capacity, waiting) per locality and pathway
        ("north", "North"): {Pathway.p1: (4, 31), Pathway.p2: (3, 9), Pathway.p3: (2, 7)},
        ("west", "West"): {Pathway.p1: (6, 28), Pathway.p2: (5, 7), Pathway.p3: (1, 6)},
        ("south", "South"): {Pathway.p1: (5, 21), Pathway.p2: (2, 5), Pathway.p3: (3, 6)},
    }
    basis = {
        Pathway.p1: "dom care and reablement starts per day",
        Pathway.p2: "step-down and community hospital beds vacant, accepting",
        Pathway.p3: "care home beds vacant, accepting",
    }
    rows = []
    for (code, name), pathways in plan.items():
        for pathway, (capacity, waiting) in pathways.items():
            rows.append(
                capacity_demand(
                    code,
                    name,
                    pathway,
                    basis[pathway],
                    figure(capacity, Unit.places, source=CARE, as_of=as_of, stale=stale),
                    figure(waiting),
                )
            )
    return CareCapacitySection(rows=rows)


def sitrep_section(**statuses: SitrepStatus) -> SitrepSection:
    """Yesterday's returns: Great Western late, AWP missing, the rest on time."""
    deadline = datetime(2026, 12, 2, 11, 0, tzinfo=UTC)
    orgs = {
        "RNZ": ("Salisbury NHS Foundation Trust", SitrepStatus.on_time, 10, 12),
        "RN3": ("Great Western Hospitals NHS Foundation Trust", SitrepStatus.late, 11, 42),
        "RD1": ("Royal United Hospitals Bath NHS Foundation Trust", SitrepStatus.on_time, 9, 55),
        "RVN": (
            "Avon and Wiltshire Mental Health Partnership NHS Trust",
            SitrepStatus.missing,
            0,
            0,
        ),
        "WHC": ("Wiltshire Health and Care", SitrepStatus.on_time, 10, 31),
    }
    returns = []
    for code, (name, status, hour, minute) in orgs.items():
        status = statuses.get(code, status)
        received = status in (SitrepStatus.on_time, SitrepStatus.late)
        at = datetime(2026, 12, 2, hour, minute, tzinfo=UTC) if received else None
        returns.append(SitrepReturn(org=code, org_name=name, status=status, submitted_at=at))
    return SitrepSection(
        sitrep_date=date(2026, 12, 2),
        deadline=deadline,
        source=SITREPS,
        as_of=BUILT_AT,
        returns=returns,
    )


# A weekly cycle of patients becoming ready per day (Monday first), per pathway.
WEEKLY = {
    Pathway.p0: (24, 22, 21, 20, 23, 12, 10),
    Pathway.p1: (17, 15, 14, 14, 16, 8, 6),
    Pathway.p2: (3, 3, 2, 3, 3, 1, 1),
    Pathway.p3: (1, 1, 1, 0, 1, 0, 0),
}


def history(*, days: int = 56, end: date = DAY) -> dict[date, dict[Pathway, int]]:
    """`days` days of counts before `end`, the weekly cycle plus a fixed wobble."""
    made = {}
    for back in range(1, days + 1):
        day = end - timedelta(days=back)
        wobble = (back * 7) % 5 - 2  # -2 .. 2, the same every run
        made[day] = {p: max(0, WEEKLY[p][day.weekday()] + wobble) for p in Pathway}
    return made


def outlook_section(*, history_days: int = 56) -> Outlook:
    capacity = {
        Pathway.p1: figure(15, Unit.places, source=CARE),
        Pathway.p2: figure(10, Unit.places, source=CARE),
        Pathway.p3: figure(6, Unit.places, source=CARE),
    }
    return outlook(
        history(days=history_days),
        first_day=DAY,
        capacity=capacity,
        source=PATIENTS,
        as_of=AS_OF,
    )


def trends_section(*, days: int = 14) -> Trends:
    """Trends that end on the default document's figures for today."""

    def trend(subject: str, name: str, end: float, step: float, unit: Unit) -> Trend:
        points = []
        for i in range(days):
            back = days - 1 - i
            day = DAY - timedelta(days=back)
            value: float = round(end - step * back + (back % 3) * 0.4, 1)
            if unit != Unit.percent:
                value = int(value)
            moment = datetime(day.year, day.month, day.day, 8, 0, tzinfo=UTC)
            source = BEDS if unit == Unit.percent else PATIENTS
            made = figure(value, unit, source=source, as_of=moment)
            points.append(TrendPoint(day=day, figure=made))
        return Trend(subject=subject, label=name, points=points)

    return Trends(
        occupancy=[
            trend("RNZ", "Salisbury", 94.1, 0.22, Unit.percent),
            trend("RN3", "Great Western", 97.0, 0.33, Unit.percent),
            trend("RD1", "Bath", 92.4, -0.12, Unit.percent),
        ],
        discharge_ready=trend("wiltshire", "Ready to leave (system)", 189, 1.0, Unit.patients),
    )


def freshness(
    *, care_stale: bool = False, care_as_of: datetime | None = None
) -> list[SourceFreshness]:
    care_time = care_as_of or (AS_OF - timedelta(hours=26) if care_stale else AS_OF)
    return [
        source_freshness(BEDS, "Bed state", AS_OF, timedelta(hours=4), BUILT_AT),
        source_freshness(
            OPEL,
            "OPEL scores and declarations",
            AS_OF + timedelta(minutes=15),
            timedelta(hours=4),
            BUILT_AT,
        ),
        source_freshness(
            PATIENTS,
            "Patients ready to leave",
            AS_OF + timedelta(minutes=25),
            timedelta(hours=2),
            BUILT_AT,
        ),
        source_freshness(CARE, "Care capacity", care_time, timedelta(hours=24), BUILT_AT),
        source_freshness(SITREPS, "Sitrep returns", BUILT_AT, timedelta(hours=1), BUILT_AT),
    ]


def wiltshire_document(
    *,
    version: int = 1,
    built_by: BuildTrigger = BuildTrigger.scheduled,
    care_stale: bool = False,
    areas: list[Area] | None = None,
    **sections: Any,
) -> SummaryDocument:
    """A full day for the Wiltshire demo system. Pass a section as None to make it
    not available (`care=None`); `changes` are made by the rules unless given."""
    built = wiltshire_areas() if areas is None else areas
    fields: dict[str, Any] = {
        "day": DAY,
        "build": BuildInfo(version=version, built_at=BUILT_AT, built_by=built_by),
        "system": built[0],
        "organisations": built[1:],
        "freshness": freshness(care_stale=care_stale),
        "changes": [],
        "care": care_section(
            stale=care_stale, as_of=AS_OF - timedelta(hours=26) if care_stale else AS_OF
        ),
        "sitreps": sitrep_section(),
        "outlook": outlook_section(),
        "trends": trends_section(),
    }
    fields.update(sections)
    document = SummaryDocument(**fields)
    if "changes" not in sections:
        document = SummaryDocument(**{**fields, "changes": document_changes(document)})
    return document
