"""A trust's daily CSV list: format, line-numbered errors, all or nothing, limits."""

from __future__ import annotations

import csv
import io
from datetime import timedelta

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from tests.builders.patients import LONDON, VALID_NHS_NUMBER, at, day, reasons
from tests.flow.patient_strategies import valid_nhs_numbers
from wicc_flow.patients.csv_import import CsvLimits, CsvParse, parse_patient_csv
from wicc_flow.patients.nhs_number import NhsNumber
from wicc_flow.patients.records import Pathway, Responsible
from wicc_flow.patients.validation import CheckContext, DelayDraft

CTX = CheckContext(
    now=at("2024-11-12", 10), max_skew=timedelta(seconds=120), tz=LONDON, reasons=reasons()
)
HEADER = (
    "local_ref,nhs_number,unit_id,admitted_at,discharge_ready_date,pathway,"
    "destination_locality,expected_discharge_date,"
    "delay1_reason,delay1_responsible,delay1_from,delay1_to"
)
GOOD = (
    "R1,943 476 5919,RNZ-WARD-1,2024-11-01T14:20:00+00:00,2024-11-08,1,"
    "south,2024-11-14,"
    "p1_care_at_home,,2024-11-08,"
)
GOOD2 = (
    "R2,,RNZ-WARD-2,2024-11-02T09:00:00Z,2024-11-09,3,"
    "north,,"
    "p3_care_home.nursing,both,2024-11-09,2024-11-11"
)


def parse(*lines: str, limits: CsvLimits = CsvLimits()) -> CsvParse:
    return parse_patient_csv("\n".join(lines).encode(), CTX, limits)


def errors(result: CsvParse) -> list[tuple[int | None, str | None, str]]:
    assert not result.rows
    return [(e.line, e.column, e.code) for e in result.errors]


def test_a_good_file_gives_every_row_with_its_line() -> None:
    result = parse(HEADER, GOOD, GOOD2)
    assert result.ok and not result.errors
    first, second = result.rows
    assert (first.line, second.line) == (2, 3)
    p = first.patient
    assert p.local_ref == "R1"
    assert p.nhs_number == NhsNumber(VALID_NHS_NUMBER)
    assert p.admitted_at == at("2024-11-01", 14, 20)
    assert (p.discharge_ready_date, p.pathway, p.expected_discharge_date) == (
        day("2024-11-08"),
        Pathway.home_with_support,
        day("2024-11-14"),
    )
    assert p.delays == (DelayDraft("p1_care_at_home", day("2024-11-08")),)
    q = second.patient
    assert (q.nhs_number, q.expected_discharge_date) == (None, None)
    assert q.delays == (
        DelayDraft("p3_care_home.nursing", day("2024-11-09"), day("2024-11-11"), Responsible.both),
    )


def test_bom_crlf_header_case_column_order_blank_lines_and_trailing_empty_rows() -> None:
    reordered = "Pathway , LOCAL_REF,unit_id,admitted_at,discharge_ready_date,destination_locality"
    text = "\ufeff" + "\r\n".join(
        [reordered, "", "1,R1,W1,2024-11-01T09:00Z,2024-11-05,south", ",,,,,", ""]
    )
    result = parse_patient_csv(text.encode(), CTX)
    assert result.ok, result.errors
    [row] = result.rows
    assert (row.line, row.patient.local_ref, row.patient.pathway) == (
        3,
        "R1",
        Pathway.home_with_support,
    )


def test_a_header_only_file_is_an_empty_list() -> None:
    result = parse(HEADER)
    assert result.ok and result.rows == ()


@pytest.mark.parametrize(
    ("header", "expected"),
    [
        (HEADER.replace("pathway,", ""), [(1, "pathway", "missing_column")]),
        (HEADER + ",ward_name", [(1, "ward_name", "unknown_column")]),
        (HEADER + ",pathway", [(1, "pathway", "duplicate_column")]),
        (
            HEADER + ",delay2_to",
            [(1, "delay2_reason", "missing_column"), (1, "delay2_from", "missing_column")],
        ),
        (HEADER + ",delay6_reason", [(1, "delay6_reason", "unknown_column")]),
        (HEADER + ",", [(1, "(column 13)", "unknown_column")]),
    ],
)
def test_a_bad_header_is_refused_before_any_row(
    header: str, expected: list[tuple[int, str, str]]
) -> None:
    assert errors(parse(header, GOOD)) == expected


def test_an_empty_file_has_no_header() -> None:
    assert errors(parse("")) == [(1, None, "missing_header")]


def test_one_broken_row_fails_the_whole_file_and_is_named_by_line_and_column() -> None:
    broken = GOOD2.replace(",3,", ",7,")
    third = GOOD.replace("R1", "R3").replace("943 476 5919", "")
    assert errors(parse(HEADER, GOOD, broken, third)) == [(3, "pathway", "invalid_pathway")]


def test_every_broken_cell_of_every_row_is_reported() -> None:
    bad = "R1,123,W1,2024-11-01,08/11/2024,1,south,,unknown_reason,council,2024-11-08,"
    found = errors(parse(HEADER, bad, GOOD.replace("R1", "R2,extra")))
    assert found == [
        (2, "admitted_at", "invalid_datetime"),
        (2, "discharge_ready_date", "invalid_date"),
        (2, "nhs_number", "nhs_number_format"),
        (2, "delay1_responsible", "invalid_responsible"),
        (3, None, "wrong_cell_count"),
    ]


def test_record_checks_are_reported_under_the_csv_column() -> None:
    row = GOOD.replace("p1_care_at_home", "no_such_reason")
    future = (
        GOOD.replace("R1", "R2").replace(",2024-11-08,", ",2024-11-13,").replace("943 476 5919", "")
    )
    found = errors(parse(HEADER, row, future))
    assert (2, "delay1_reason", "unknown_reason") in found
    assert (3, "delay1_from", "future_date") in found
    assert (3, "discharge_ready_date", "future_date") in found


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("2024-11-01T14:20:00", "missing_offset"),
        ("2024-11-01", "invalid_datetime"),
        ("yesterday", "invalid_datetime"),
        ("2024-13-01T10:00Z", "invalid_datetime"),
        ("1999-12-31T10:00Z", "implausible_time"),
        ("2024-11-12T10:05Z", "future_time"),
    ],
)
def test_admission_times_must_be_iso_with_an_offset_and_plausible(cell: str, code: str) -> None:
    row = GOOD.replace("2024-11-01T14:20:00+00:00", cell)
    found = errors(parse(HEADER, row))
    assert found[0] == (2, "admitted_at", code)
    assert {column for _, column, _ in found[1:]} <= {"discharge_ready_date", "delay1_from"}


def test_required_cells_and_delay_cells_that_need_each_other() -> None:
    no_ref = GOOD.replace("R1,", ",", 1)
    half_delay = GOOD.replace("R1", "R2").replace("p1_care_at_home,,2024-11-08", ",health,")
    assert errors(parse(HEADER, no_ref, half_delay)) == [
        (2, "local_ref", "required"),
        (3, "delay1_reason", "required"),
        (3, "delay1_from", "required"),
    ]


def test_the_same_patient_twice_is_named_by_the_line_it_repeats_without_the_number() -> None:
    again = GOOD.replace("R1", "R9").replace("943 476 5919", "9434765919")
    result = parse(HEADER, GOOD, GOOD2.replace("R2", "R1"), again)
    assert errors(result) == [
        (3, "local_ref", "duplicate_local_ref"),
        (4, "nhs_number", "duplicate_nhs_number"),
    ]
    assert result.errors[1].message == "the same NHS number as line 2"


def test_a_row_spanning_lines_is_named_by_the_line_it_starts_on() -> None:
    multiline = GOOD2.replace("RNZ-WARD-2", '"RNZ\nWARD"')
    after = GOOD.replace("R1", "R3").replace(",1,", ",9,")
    found = errors(parse(HEADER, GOOD, multiline, after))
    assert found == [(3, "unit_id", "invalid_format"), (5, "pathway", "invalid_pathway")]


def test_file_limits() -> None:
    assert errors(parse(HEADER, GOOD, limits=CsvLimits(max_bytes=100))) == [
        (None, None, "file_too_large")
    ]
    rows = [GOOD.replace("R1", f"R{i}").replace("943 476 5919", "") for i in range(4)]
    assert errors(parse(HEADER, *rows, limits=CsvLimits(max_rows=3))) == [
        (5, None, "too_many_rows")
    ]
    assert errors(parse(HEADER, GOOD.replace("R1", "R" * 30), limits=CsvLimits(max_cell=25))) == [
        (2, "local_ref", "too_long")
    ]


def test_not_utf8_is_named_by_line() -> None:
    data = (HEADER + "\n" + GOOD + "\n").encode() + "R2,caf\u00e9".encode("latin-1")
    assert errors(parse_patient_csv(data, CTX)) == [(3, None, "not_utf8")]


def test_malformed_csv_is_named_by_line() -> None:
    found = errors(parse(HEADER, GOOD, 'R2,"unterminated'))
    assert found[-1][0] == 3 and found[-1][2] == "malformed_csv"


def test_the_list_of_errors_is_capped() -> None:
    rows = [GOOD.replace("R1", f"R{i}").replace(",1,", ",9,") for i in range(250)]
    result = parse(HEADER, *rows)
    assert len(result.errors) == 201
    assert result.errors[-1].code == "too_many_errors"
    assert result.errors[-1].message == "50 more errors not shown"


def test_a_parse_holds_rows_or_errors_never_both() -> None:
    ok, failed = parse(HEADER, GOOD), parse(HEADER, "x")
    with pytest.raises(ValueError, match="either"):
        CsvParse(rows=ok.rows, errors=failed.errors)


@st.composite
def csv_rows(draw: st.DrawFn) -> list[dict[str, str]]:
    numbers = draw(st.lists(valid_nhs_numbers(), max_size=6, unique=True))
    rows = []
    for i, number in enumerate(numbers):
        ready = day("2024-11-01") + timedelta(days=draw(st.integers(0, 11)))
        delay_start = ready + timedelta(days=draw(st.integers(0, (day("2024-11-12") - ready).days)))
        rows.append(
            {
                "local_ref": f"REF-{i}",
                "nhs_number": draw(
                    st.sampled_from([number, f"{number[:3]} {number[3:6]} {number[6:]}", ""])
                ),
                "unit_id": draw(st.sampled_from(["RNZ-W1", "RNZ-W2"])),
                "admitted_at": draw(
                    st.sampled_from(["2024-10-31T23:30:00Z", "2024-11-01T08:00:00+00:00"])
                ),
                "discharge_ready_date": ready.isoformat(),
                "pathway": str(draw(st.integers(0, 3))),
                "destination_locality": draw(st.sampled_from(["north", "west", "south"])),
                "delay1_reason": draw(
                    st.sampled_from(["", "medical", "p2_bed", "p3_care_home.residential"])
                ),
                "delay1_from": delay_start.isoformat(),
            }
        )
        if not rows[-1]["delay1_reason"]:
            rows[-1]["delay1_from"] = ""
    return rows


@settings(max_examples=40)
@given(
    csv_rows(),
    st.permutations(
        [
            "local_ref",
            "nhs_number",
            "unit_id",
            "admitted_at",
            "discharge_ready_date",
            "pathway",
            "destination_locality",
            "delay1_reason",
            "delay1_from",
        ]
    ),
)
def test_any_valid_list_parses_back_to_what_was_written(
    rows: list[dict[str, str]], columns: list[str]
) -> None:
    out = io.StringIO()
    writer = csv.DictWriter(out, fieldnames=columns)
    writer.writeheader()
    writer.writerows(rows)
    result = parse_patient_csv(out.getvalue().encode(), CTX)
    assert result.ok, result.errors
    assert [r.line for r in result.rows] == list(range(2, 2 + len(rows)))
    for row, parsed in zip(rows, result.rows, strict=True):
        p = parsed.patient
        assert p.local_ref == row["local_ref"]
        assert (p.nhs_number.value if p.nhs_number else "") == row["nhs_number"].replace(" ", "")
        assert p.discharge_ready_date.isoformat() == row["discharge_ready_date"]
        assert int(p.pathway) == int(row["pathway"])
        assert [d.reason for d in p.delays] == (
            [row["delay1_reason"]] if row["delay1_reason"] else []
        )
