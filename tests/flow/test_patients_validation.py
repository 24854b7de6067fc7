"""The rules of a discharge-ready record shared by the JSON API and the CSV import."""

from __future__ import annotations

from dataclasses import replace
from datetime import UTC, datetime, timedelta
from typing import Any

import pytest

from tests.builders.patients import LONDON, at, day, reasons
from wicc_flow.patients.nhs_number import NhsNumber
from wicc_flow.patients.records import Pathway, Responsible
from wicc_flow.patients.validation import (
    CheckContext,
    DelayDraft,
    PatientDraft,
    check_patient,
    resolve_delays,
)

NOW = at("2024-11-12", 10)
CTX = CheckContext(now=NOW, max_skew=timedelta(seconds=120), tz=LONDON, reasons=reasons())


def draft(**changes: Any) -> PatientDraft:
    base = PatientDraft(
        local_ref="RNZ/2024/0042",
        unit_id="RNZ-WARD-1",
        admitted_at=at("2024-11-01", 14),
        discharge_ready_date=day("2024-11-08"),
        pathway=Pathway.home_with_support,
        destination_locality="south",
        expected_discharge_date=day("2024-11-14"),
        nhs_number=NhsNumber("9434765919"),
        delays=(DelayDraft("p1_care_at_home", day("2024-11-08")),),
    )
    return replace(base, **changes)


def problems(d: PatientDraft, ctx: CheckContext = CTX) -> set[tuple[str, str]]:
    return {(p.field, p.code) for p in check_patient(d, ctx)}


def test_a_good_record_has_no_problems() -> None:
    assert problems(draft()) == set()


@pytest.mark.parametrize(
    ("changes", "expected"),
    [
        ({"local_ref": ""}, ("local_ref", "invalid_format")),
        ({"local_ref": "has space"}, ("local_ref", "invalid_format")),
        ({"local_ref": "x" * 65}, ("local_ref", "invalid_format")),
        ({"unit_id": "RNZ WARD"}, ("unit_id", "invalid_format")),
        ({"destination_locality": ""}, ("destination_locality", "invalid_format")),
        ({"admitted_at": datetime(2024, 11, 1, 14)}, ("admitted_at", "missing_offset")),
        (
            {"admitted_at": datetime(1999, 12, 31, 23, 59, tzinfo=UTC)},
            ("admitted_at", "implausible_time"),
        ),
        ({"admitted_at": NOW + timedelta(minutes=5)}, ("admitted_at", "future_time")),
        ({"discharge_ready_date": day("2024-10-31")}, ("discharge_ready_date", "before_admission")),
        ({"discharge_ready_date": day("2024-11-13")}, ("discharge_ready_date", "future_date")),
        (
            {"expected_discharge_date": day("2024-10-30")},
            ("expected_discharge_date", "before_admission"),
        ),
        (
            {"expected_discharge_date": day("2025-11-14")},
            ("expected_discharge_date", "implausible_date"),
        ),
    ],
)
def test_each_rule_names_its_field_and_code(
    changes: dict[str, object], expected: tuple[str, str]
) -> None:
    assert expected in problems(draft(**changes))


def test_times_within_the_clock_skew_are_accepted() -> None:
    soon = draft(admitted_at=NOW + timedelta(seconds=119), discharge_ready_date=day("2024-11-12"))
    assert problems(replace(soon, delays=())) == set()


def test_an_expected_discharge_date_may_be_ahead_up_to_a_year() -> None:
    assert problems(draft(expected_discharge_date=day("2025-11-13"))) == set()


def test_the_day_of_admission_is_the_day_in_the_system_time_zone() -> None:
    # 23:30 UTC on 31 October 2024 is 23:30 GMT: still 31 October in London.
    late = datetime(2024, 10, 31, 23, 30, tzinfo=UTC)
    assert problems(draft(admitted_at=late, discharge_ready_date=day("2024-10-31"))) == set()
    # 23:30 UTC on 31 July is 00:30 BST on 1 August: a DRD of 31 July is before admission.
    summer = datetime(2024, 7, 31, 23, 30, tzinfo=UTC)
    found = problems(draft(admitted_at=summer, discharge_ready_date=day("2024-07-31"), delays=()))
    assert ("discharge_ready_date", "before_admission") in found


@pytest.mark.parametrize(
    ("delays", "expected"),
    [
        ((DelayDraft("nonsense", day("2024-11-08")),), ("delays.0.reason", "unknown_reason")),
        ((DelayDraft("medical", day("2024-10-30")),), ("delays.0.from", "before_admission")),
        ((DelayDraft("medical", day("2024-11-13")),), ("delays.0.from", "future_date")),
        (
            (DelayDraft("medical", day("2024-11-08"), day("2024-11-07")),),
            ("delays.0.to", "ends_before_start"),
        ),
        (
            (DelayDraft("medical", day("2024-11-08"), day("2024-11-14")),),
            ("delays.0.to", "future_date"),
        ),
        (
            (
                DelayDraft("medical", day("2024-11-02"), day("2024-11-06")),
                DelayDraft("medical", day("2024-11-05")),
            ),
            ("delays.1.from", "overlapping_delay"),
        ),
        (
            tuple(DelayDraft("medical", day("2024-11-02")) for _ in range(21)),
            ("delays", "too_many"),
        ),
    ],
)
def test_delay_rules(delays: tuple[DelayDraft, ...], expected: tuple[str, str]) -> None:
    assert expected in problems(draft(delays=delays))


def test_the_same_reason_again_after_the_first_wait_ended_is_fine() -> None:
    again = (
        DelayDraft("transport", day("2024-11-02"), day("2024-11-05")),
        DelayDraft("transport", day("2024-11-05")),
        DelayDraft("medical", day("2024-11-03")),
    )
    assert problems(draft(delays=again)) == set()


def test_a_local_code_is_a_known_reason() -> None:
    assert problems(draft(delays=(DelayDraft("p3_care_home.nursing", day("2024-11-08")),))) == set()


def test_known_units_and_localities_are_checked_when_the_caller_has_them() -> None:
    ctx = replace(CTX, units={"RNZ-WARD-2"}, localities={"north"})
    assert problems(draft(), ctx) == {
        ("unit_id", "unknown_code"),
        ("destination_locality", "unknown_code"),
    }


def test_resolving_delays_gives_the_reasons_usual_owner_when_none_was_sent() -> None:
    resolved = resolve_delays(
        (
            DelayDraft("medical", day("2024-11-08")),
            DelayDraft("p3_care_home.nursing", day("2024-11-08"), responsible=Responsible.health),
            DelayDraft("p3_care_home.nursing", day("2024-11-09")),
        ),
        reasons(),
    )
    assert [d.responsible for d in resolved] == [
        Responsible.health,
        Responsible.health,
        Responsible.both,
    ]


def test_the_draft_repr_hides_the_nhs_number() -> None:
    assert "5919" not in repr(draft())
