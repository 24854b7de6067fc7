"""The "what changed" sentences: made by rules from the numbers, ranked, capped."""

from __future__ import annotations

from dataclasses import replace

from hypothesis import given
from hypothesis import strategies as st

from tests.builders.summaries import (
    BATH_BANDS,
    patients_ready,
    wiltshire_areas,
    wiltshire_document,
)
from wicc_flow.summaries.changes import (
    Pair,
    SubjectFigures,
    Thresholds,
    document_changes,
    what_changed,
)


def texts(subjects: list[SubjectFigures], **kwargs: object) -> list[str]:
    return [s.text for s in what_changed(subjects, **kwargs)]  # type: ignore[arg-type]


def test_occupancy_movement_reads_with_escalation_beds_open() -> None:
    gwh = SubjectFigures(
        "RN3", "Great Western", occupancy=Pair(97.0, 93.0), escalation_open=Pair(12, 11)
    )
    assert texts([gwh]) == [
        "Great Western: G&A occupancy 97.0 % (+4.0 points), 12 escalation beds open"
    ]


def test_escalation_beds_carry_their_change_when_it_passed_the_threshold() -> None:
    gwh = SubjectFigures(
        "RN3", "Great Western", occupancy=Pair(97.0, 96.5), escalation_open=Pair(12, 7)
    )
    assert texts([gwh]) == [
        "Great Western: G&A occupancy 97.0 % (+0.5 points), 12 escalation beds open (+5)"
    ]


def test_patients_ready_to_leave() -> None:
    system = SubjectFigures("wiltshire", "System", ready_to_leave=Pair(212, 194))
    assert texts([system]) == ["System: 212 patients ready to leave (+18 since yesterday)"]


def test_declared_level_differing_from_the_calculated_one() -> None:
    salisbury = SubjectFigures(
        "RNZ", "Salisbury", level=Pair(3, 3), calculated_level=2, declared_level=3
    )
    assert texts([salisbury]) == ["Salisbury declared OPEL 3 (calculated 2)"]


def test_a_level_change_carries_the_score() -> None:
    gwh = SubjectFigures(
        "RN3", "Great Western", level=Pair(3, 2), calculated_level=3, opel_score=Pair(27, 21)
    )
    assert texts([gwh]) == ["Great Western: OPEL 3, up from OPEL 2 (score 27, +6)"]
    down = replace(gwh, level=Pair(1, 2), calculated_level=1, opel_score=None)
    assert texts([down]) == ["Great Western: OPEL 1, down from OPEL 2"]


def test_other_topics_ranked_by_thresholds_moved() -> None:
    bath = SubjectFigures(
        "RD1",
        "Bath",
        closed_infection=Pair(8, 2),
        lost_bed_days=Pair(62, 40),
        overdue_actions=Pair(1, 4),
        opel_score=Pair(19, 13),
        level=Pair(2, 2),
    )
    assert texts([bath]) == [
        "Bath: 8 beds closed for infection (+6)",  # 6 / 4 = 1.5 thresholds
        "Bath: 1 OPEL action overdue (-3)",  # 3 / 2 = 1.5: a tie, topic order decides
        "Bath: OPEL score 19 (+6), still OPEL 2",  # 6 / 5 = 1.2
        "Bath: 62 bed days lost yesterday (+22 on the day before)",  # 22 / 20 = 1.1
    ]


def test_movements_below_their_threshold_are_silent() -> None:
    quiet = SubjectFigures(
        "RD1",
        "Bath",
        occupancy=Pair(92.4, 93.2),
        escalation_open=Pair(4, 4),
        ready_to_leave=Pair(66, 60),
        level=Pair(2, 2),
        calculated_level=2,
    )
    assert texts([quiet]) == []
    # Exactly at the threshold counts.
    assert texts([replace(quiet, ready_to_leave=Pair(70, 60))]) == [
        "Bath: 70 patients ready to leave (+10 since yesterday)"
    ]


def test_without_yesterday_only_the_declared_level_can_speak() -> None:
    unknown = SubjectFigures(
        "RNZ",
        "Salisbury",
        level=Pair(3),
        calculated_level=2,
        declared_level=3,
        occupancy=Pair(99.0),
        ready_to_leave=Pair(80),
    )
    assert texts([unknown]) == ["Salisbury declared OPEL 3 (calculated 2)"]


def test_ranking_level_changes_first_then_by_thresholds_moved() -> None:
    subjects = [
        SubjectFigures("wiltshire", "System", ready_to_leave=Pair(212, 200)),  # 1.2
        SubjectFigures("RNZ", "Salisbury", occupancy=Pair(98.0, 92.0)),  # 3.0
        SubjectFigures("RN3", "Great Western", level=Pair(3, 2), calculated_level=3),  # tier 0
        SubjectFigures("RD1", "Bath", closed_infection=Pair(10, 2)),  # 2.0
    ]
    assert [s.subject for s in what_changed(subjects)] == ["RN3", "RNZ", "RD1", "wiltshire"]


def test_ties_go_to_the_system_then_the_documents_order() -> None:
    same = {"ready_to_leave": Pair(30, 20)}
    subjects = [
        SubjectFigures("wiltshire", "System", **same),  # type: ignore[arg-type]
        SubjectFigures("RNZ", "Salisbury", **same),  # type: ignore[arg-type]
        SubjectFigures("RN3", "Great Western", **same),  # type: ignore[arg-type]
    ]
    assert [s.subject for s in what_changed(subjects)] == ["wiltshire", "RNZ", "RN3"]


def test_at_most_the_limit_is_kept_the_largest_first() -> None:
    subjects = [
        SubjectFigures(f"T{i}", f"Trust {i}", ready_to_leave=Pair(100 + 10 * i, 100))
        for i in range(1, 13)
    ]
    kept = what_changed(subjects)
    assert len(kept) == 8
    assert kept[0].subject == "T12" and kept[-1].subject == "T5"
    assert len(what_changed(subjects, limit=3)) == 3


def test_thresholds_are_configurable() -> None:
    system = SubjectFigures("wiltshire", "System", ready_to_leave=Pair(212, 200))
    assert texts([system]) != []
    assert texts([system], thresholds=Thresholds(ready_to_leave=20)) == []


def test_the_demo_documents_sentences() -> None:
    sentences = document_changes(wiltshire_document())
    assert [s.text for s in sentences] == [
        "System: OPEL 3, up from OPEL 2 (score 24, +4)",
        "Salisbury declared OPEL 3 (calculated 2)",
        "Great Western: OPEL 3, up from OPEL 2 (score 27, +6)",
        "Great Western: G&A occupancy 97.0 % (+4.0 points), 12 escalation beds open (+5)",  # 2.0
        "System: 189 patients ready to leave (+18 since yesterday)",  # 1.8
        # 1.5 each: the system first, then its topics in order, then Bath.
        "System: G&A occupancy 95.1 % (+1.7 points), 22 escalation beds open (+6)",
        "System: 14 beds closed for infection (+6)",
        "Bath: 8 beds closed for infection (+6)",
    ]
    assert sentences[0].subject == "wiltshire" and sentences[0].topic == "opel_level"


def test_against_yesterdays_document() -> None:
    today = wiltshire_document()
    # Yesterday's document: Bath with two fewer patients in every cell that had
    # two or more, and 17 bed days lost the day before.
    fewer = {p: tuple(n - 2 if n >= 2 else n for n in row) for p, row in BATH_BANDS.items()}
    before = sum(sum(row) for row in fewer.values())
    areas = wiltshire_areas()
    areas[3] = areas[3].model_copy(
        update={"patients": patients_ready(bands=fewer, lost_yesterday=17)}
    )
    yesterday = wiltshire_document(areas=areas, changes=[])
    bath = [s.text for s in document_changes(today, yesterday, limit=20) if s.subject == "RD1"]
    assert before == 32  # 16 cells held two or more
    assert bath == [
        "Bath: 64 patients ready to leave (+32 since yesterday)",  # 3.2 thresholds
        "Bath: 47 bed days lost yesterday (+30 on the day before)",  # 1.5
    ]
    # Without yesterday's document, the figures inside today's are used: Bath's
    # ready-to-leave moved -2 (silent) and lost bed days have no day before.
    assert [
        s for s in document_changes(today) if s.subject == "RD1" and s.topic != "infection"
    ] == []


pairs = st.builds(
    Pair,
    st.integers(min_value=0, max_value=300),
    st.one_of(st.none(), st.integers(min_value=0, max_value=300)),
)
subjects_strategy = st.lists(
    st.builds(
        SubjectFigures,
        code=st.sampled_from(["A", "B", "C", "D"]),
        name=st.just("X"),
        occupancy=st.one_of(st.none(), pairs),
        escalation_open=st.one_of(st.none(), pairs),
        ready_to_leave=st.one_of(st.none(), pairs),
        closed_infection=st.one_of(st.none(), pairs),
    ),
    max_size=8,
)


@given(subjects_strategy, st.integers(min_value=0, max_value=10))
def test_never_more_than_the_limit_and_the_same_input_gives_the_same_output(
    subjects: list[SubjectFigures], limit: int
) -> None:
    first = what_changed(subjects, limit=limit)
    assert len(first) <= limit
    assert what_changed(subjects, limit=limit) == first


@given(subjects_strategy, st.floats(min_value=1.0, max_value=5.0))
def test_raising_every_threshold_never_adds_a_sentence(
    subjects: list[SubjectFigures], factor: float
) -> None:
    base = Thresholds()
    raised = Thresholds(**{name: value * factor for name, value in vars(base).items()})
    loose = {(s.subject, s.topic) for s in what_changed(subjects, limit=100)}
    strict = {(s.subject, s.topic) for s in what_changed(subjects, thresholds=raised, limit=100)}
    assert strict <= loose
