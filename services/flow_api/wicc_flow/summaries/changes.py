"""The "what changed" lines: the largest movements since yesterday, made by rules.

Each rule looks at one topic of one subject (the system or an organisation) and
either stays silent or writes one sentence from the numbers. No language model:
the same figures always give the same sentences, in the same order.

Ranking, in this order:
1. Tier 0, always first: a change of the OPEL level in force, or a declared level
   that differs from the calculated one (these set off action cards). Among them,
   the larger salience first: levels moved + |declared - calculated|.
2. Tier 1: movements at least as large as their topic's threshold (`Thresholds`,
   a configurable default). Salience = |change| / threshold, the largest first,
   so "+4 points of occupancy" (2x its threshold) beats "+12 patients" (1.2x).
3. Ties: the system before organisations (in the document's order), then by topic
   in the order of `TOPICS`.
At most `limit` sentences are kept (8 by default): the call reads them aloud.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass

from wicc_flow.summaries.document import Area, ChangeSentence, SummaryDocument
from wicc_flow.summaries.figures import Figure, Tracked
from wicc_flow.summaries.formatting import number, plural, signed

MAX_SENTENCES = 8


@dataclass(frozen=True)
class Pair:
    """One measure today and yesterday (None: yesterday unknown)."""

    today: float
    yesterday: float | None = None

    @property
    def change(self) -> float | None:
        if self.yesterday is None:
            return None
        return round(self.today - self.yesterday, 6)


@dataclass(frozen=True)
class SubjectFigures:
    """The measures the rules read, for the system or one organisation."""

    code: str
    name: str
    level: Pair | None = None  # OPEL level in force
    calculated_level: float | None = None
    declared_level: float | None = None
    opel_score: Pair | None = None
    overdue_actions: Pair | None = None
    occupancy: Pair | None = None  # adult G&A, core + escalation, percent
    escalation_open: Pair | None = None
    closed_infection: Pair | None = None
    ready_to_leave: Pair | None = None
    lost_bed_days: Pair | None = None  # lost yesterday, against the day before


@dataclass(frozen=True)
class Thresholds:
    """The smallest movement worth a sentence, per topic (configurable defaults)."""

    occupancy_points: float = 2.0
    escalation_beds: float = 4.0
    closed_infection: float = 4.0
    ready_to_leave: float = 10.0
    lost_bed_days: float = 20.0
    opel_score: float = 5.0
    overdue_actions: float = 2.0


@dataclass(frozen=True)
class _Candidate:
    tier: int
    salience: float
    subject_index: int
    topic_index: int
    sentence: ChangeSentence

    def key(self) -> tuple[int, float, int, int]:
        return (self.tier, -round(self.salience, 6), self.subject_index, self.topic_index)


Rule = Callable[[SubjectFigures, Thresholds], tuple[int, float, str] | None]


def what_changed(
    subjects: Sequence[SubjectFigures],
    *,
    thresholds: Thresholds | None = None,
    limit: int = MAX_SENTENCES,
) -> list[ChangeSentence]:
    """The ranked sentences (see the module's docstring), at most `limit` of them."""
    limits = thresholds or Thresholds()
    candidates = []
    for subject_index, subject in enumerate(subjects):
        for topic_index, (topic, rule) in enumerate(TOPICS):
            made = rule(subject, limits)
            if made is not None:
                tier, salience, text = made
                sentence = ChangeSentence(text=text, subject=subject.code, topic=topic)
                candidates.append(_Candidate(tier, salience, subject_index, topic_index, sentence))
    candidates.sort(key=_Candidate.key)
    return [c.sentence for c in candidates[:limit]]


def document_changes(
    today: SummaryDocument,
    yesterday: SummaryDocument | None = None,
    *,
    thresholds: Thresholds | None = None,
    limit: int = MAX_SENTENCES,
) -> list[ChangeSentence]:
    """Sentences for a document: against yesterday's document when given, else
    against the yesterday figures today's document carries."""
    return what_changed(subjects_of(today, yesterday), thresholds=thresholds, limit=limit)


def subjects_of(
    today: SummaryDocument, yesterday: SummaryDocument | None = None
) -> list[SubjectFigures]:
    if yesterday is None:
        return [subject_figures(area) for area in today.areas()]
    before = {area.code: area for area in yesterday.areas()}
    return [subject_figures(area, before.get(area.code)) for area in today.areas()]


def subject_figures(area: Area, yesterday: Area | None = None) -> SubjectFigures:
    """The rules' view of an area. With `yesterday`, each pair compares with that
    area's figures; without, with the yesterday figures inside today's area."""

    def pair(pick: Callable[[Area], Tracked | None]) -> Pair | None:
        now = pick(area)
        if now is None:
            return None
        if yesterday is None:
            return Pair(now.today.value, _value(now.yesterday))
        before = pick(yesterday)
        return Pair(now.today.value, _value(before.today if before else None))

    opel = area.opel
    return SubjectFigures(
        code=area.code,
        name=area.short_name,
        level=pair(lambda a: a.opel.level if a.opel else None),
        calculated_level=opel.calculated_level.value if opel else None,
        declared_level=_value(opel.declared_level) if opel else None,
        opel_score=pair(lambda a: a.opel.score if a.opel else None),
        overdue_actions=pair(lambda a: a.opel.overdue_actions if a.opel else None),
        occupancy=pair(lambda a: a.beds.occupancy if a.beds else None),
        escalation_open=pair(lambda a: a.beds.escalation_beds_open if a.beds else None),
        closed_infection=pair(lambda a: a.beds.beds_closed_infection if a.beds else None),
        ready_to_leave=pair(lambda a: a.patients.total if a.patients else None),
        lost_bed_days=_lost_bed_days(area, yesterday),
    )


def _lost_bed_days(area: Area, yesterday: Area | None) -> Pair | None:
    # Lost bed days are a plain figure, not tracked: only yesterday's document has
    # the day before's value.
    if area.patients is None:
        return None
    before = yesterday.patients if yesterday else None
    return Pair(
        area.patients.lost_bed_days_yesterday.value,
        before.lost_bed_days_yesterday.value if before else None,
    )


def _value(figure: Figure | None) -> float | None:
    return None if figure is None else figure.value


def _ratio(pair: Pair | None, threshold: float) -> float:
    """How many thresholds the pair moved (0 when unknown)."""
    if pair is None or pair.change is None:
        return 0.0
    return abs(pair.change) / threshold


# Rules: each returns (tier, salience, text) or None.


def _opel_level(s: SubjectFigures, t: Thresholds) -> tuple[int, float, str] | None:
    if s.level is None or s.calculated_level is None:
        return None
    level = int(s.level.today)
    moved = int(s.level.change or 0)
    differs = s.declared_level is not None and s.declared_level != s.calculated_level
    if moved == 0 and not differs:
        return None
    if differs:
        text = f"{s.name} declared OPEL {level} (calculated {int(s.calculated_level)})"
    else:
        text = f"{s.name}: OPEL {level}"
    if moved:
        text += f", {'up' if moved > 0 else 'down'} from OPEL {int(s.level.today) - moved}"
        if s.opel_score is not None and s.opel_score.change is not None:
            text += f" (score {number(s.opel_score.today)}, {signed(s.opel_score.change)})"
    spread = 0.0
    if differs and s.declared_level is not None:
        spread = abs(s.declared_level - s.calculated_level)
    return 0, abs(moved) + spread, text


def _opel_score(s: SubjectFigures, t: Thresholds) -> tuple[int, float, str] | None:
    # A level change already carries the score in its sentence.
    if s.opel_score is None or (s.level is not None and s.level.change):
        return None
    ratio = _ratio(s.opel_score, t.opel_score)
    if ratio < 1 or s.opel_score.change is None:
        return None
    text = f"{s.name}: OPEL score {number(s.opel_score.today)} ({signed(s.opel_score.change)})"
    if s.level is not None:
        text += f", still OPEL {int(s.level.today)}"
    return 1, ratio, text


def _beds(s: SubjectFigures, t: Thresholds) -> tuple[int, float, str] | None:
    occupancy = _ratio(s.occupancy, t.occupancy_points)
    escalation = _ratio(s.escalation_open, t.escalation_beds)
    if max(occupancy, escalation) < 1:
        return None
    parts = []
    if s.occupancy is not None:
        part = f"G&A occupancy {number(s.occupancy.today)} %"
        if s.occupancy.change is not None:
            part += f" ({signed(s.occupancy.change)} points)"
        parts.append(part)
    if s.escalation_open is not None and (s.escalation_open.today or escalation >= 1):
        part = plural(s.escalation_open.today, "escalation bed") + " open"
        if escalation >= 1 and s.escalation_open.change is not None:
            part += f" ({signed(s.escalation_open.change)})"
        parts.append(part)
    return 1, max(occupancy, escalation), f"{s.name}: {', '.join(parts)}"


def _infection(s: SubjectFigures, t: Thresholds) -> tuple[int, float, str] | None:
    ratio = _ratio(s.closed_infection, t.closed_infection)
    if ratio < 1 or s.closed_infection is None or s.closed_infection.change is None:
        return None
    beds = plural(s.closed_infection.today, "bed")
    return 1, ratio, f"{s.name}: {beds} closed for infection ({signed(s.closed_infection.change)})"


def _ready(s: SubjectFigures, t: Thresholds) -> tuple[int, float, str] | None:
    ratio = _ratio(s.ready_to_leave, t.ready_to_leave)
    if ratio < 1 or s.ready_to_leave is None or s.ready_to_leave.change is None:
        return None
    count = plural(s.ready_to_leave.today, "patient")
    change = signed(s.ready_to_leave.change)
    return 1, ratio, f"{s.name}: {count} ready to leave ({change} since yesterday)"


def _lost(s: SubjectFigures, t: Thresholds) -> tuple[int, float, str] | None:
    ratio = _ratio(s.lost_bed_days, t.lost_bed_days)
    if ratio < 1 or s.lost_bed_days is None or s.lost_bed_days.change is None:
        return None
    days = plural(s.lost_bed_days.today, "bed day")
    change = signed(s.lost_bed_days.change)
    return 1, ratio, f"{s.name}: {days} lost yesterday ({change} on the day before)"


def _overdue(s: SubjectFigures, t: Thresholds) -> tuple[int, float, str] | None:
    ratio = _ratio(s.overdue_actions, t.overdue_actions)
    if ratio < 1 or s.overdue_actions is None or s.overdue_actions.change is None:
        return None
    actions = plural(s.overdue_actions.today, "OPEL action")
    return 1, ratio, f"{s.name}: {actions} overdue ({signed(s.overdue_actions.change)})"


TOPICS: tuple[tuple[str, Rule], ...] = (
    ("opel_level", _opel_level),
    ("opel_score", _opel_score),
    ("beds", _beds),
    ("infection", _infection),
    ("ready_to_leave", _ready),
    ("lost_bed_days", _lost),
    ("overdue_actions", _overdue),
)
