"""Delay reasons: the shipped reference file, its checks, and the lookups."""

from __future__ import annotations

import pytest

from tests.builders.patients import REASONS_FILE, reasons
from wicc_flow.patients.delay_reasons import (
    NO_DTOC_CATEGORY,
    NO_REASON,
    DelayReasonsFileError,
    Scheme,
    UnknownDelayReason,
    parse_delay_reasons,
)
from wicc_flow.patients.records import Responsible

MINIMAL = """\
version: test-v1
dtoc:
  - {code: A, name: Assessment, responsible: both}
  - {code: E, name: Care package, responsible: social_care}
nctr:
  - {code: medical, number: 1, name: Medical, responsible: health, dtoc: null}
  - {code: p1, number: 2, name: Pathway 1, responsible: both, dtoc: E}
"""


def test_the_shipped_file_has_the_18_national_reasons_in_order() -> None:
    national = reasons().national
    assert [r.number for r in national] == list(range(1, 19))
    assert national[0].code == "medical"
    assert national[14].code == "p3_care_home"
    assert reasons().version == "delay-reasons-v1"


def test_the_shipped_file_has_the_ten_dtoc_categories() -> None:
    codes = [c.code for c in reasons().dtoc_categories]
    assert codes == ["A", "B", "C", "Di", "Dii", "E", "F", "G", "H", "I"]


def test_every_reason_is_marked_with_who_usually_owns_it() -> None:
    marks = [r.responsible for r in (*reasons().national, *reasons().local)]
    marks += [c.responsible for c in reasons().dtoc_categories]
    assert len(marks) == 18 + 2 + 10
    assert all(isinstance(mark, Responsible) for mark in marks)


@pytest.mark.parametrize(
    ("code", "category"),
    [
        ("equipment", "F"),
        ("p1_care_at_home", "E"),
        ("p2_bed", "C"),
        ("p3_care_home", "Di"),
        ("homeless", "I"),
        ("not_in_agreement", "G"),
        ("medical", None),
        ("transport", None),
    ],
)
def test_dtoc_of_maps_a_national_reason(code: str, category: str | None) -> None:
    found = reasons().dtoc_of(code)
    assert (found.code if found else None) == category


def test_a_local_code_counts_under_its_parent_and_may_override_the_dtoc_category() -> None:
    nursing = reasons().nctr("p3_care_home.nursing")
    assert nursing.is_local
    assert nursing.national == "p3_care_home"
    assert nursing.number == 15
    assert reasons().group_key("p3_care_home.nursing", Scheme.nctr) == "p3_care_home"
    assert reasons().group_key("p3_care_home.nursing", "dtoc") == "Dii"
    residential = reasons().nctr("p3_care_home.residential")
    assert residential.dtoc == "Di"  # inherited
    assert residential.responsible == Responsible.social_care  # inherited


def test_group_keys_for_no_reason_and_no_dtoc_category() -> None:
    assert reasons().group_key(None, "nctr") == NO_REASON
    assert reasons().group_key(None, "dtoc") == NO_REASON
    assert reasons().group_key("transport", "dtoc") == NO_DTOC_CATEGORY
    assert reasons().group_key("transport", "nctr") == "transport"


def test_an_unknown_code_is_a_key_error_naming_it() -> None:
    with pytest.raises(UnknownDelayReason, match="no_such_reason"):
        reasons().nctr("no_such_reason")
    with pytest.raises(UnknownDelayReason):
        reasons().dtoc("Z")
    with pytest.raises(ValueError, match="not a valid Scheme"):
        reasons().group_key("medical", "local")
    assert "medical" in reasons()
    assert "no_such_reason" not in reasons()


def test_a_minimal_file_parses() -> None:
    parsed = parse_delay_reasons(MINIMAL, source="t.yaml")
    assert [r.code for r in parsed.national] == ["medical", "p1"]


@pytest.mark.parametrize(
    ("text", "key", "message"),
    [
        (MINIMAL + "colour: red\n", "colour", "Extra inputs"),
        (
            MINIMAL + "  - {code: x, number: 3, name: X, responsible: health, dtoc: null, y: 1}\n",
            "nctr[2].y",
            "Extra inputs",
        ),
        (
            MINIMAL + "  - {code: p1, number: 3, name: X, responsible: health, dtoc: null}\n",
            "nctr[2].code",
            "duplicate code 'p1'",
        ),
        (
            MINIMAL.replace("code: E,", "code: medical,"),
            "nctr[0].code",
            "duplicate code 'medical'",
        ),
        (
            MINIMAL + "  - {code: x, number: 2, name: X, responsible: health, dtoc: null}\n",
            "nctr[2].number",
            "duplicate number 2",
        ),
        (MINIMAL.replace("dtoc: E}", "dtoc: Q}"), "nctr[1].dtoc", "unknown DTOC category 'Q'"),
        (MINIMAL.replace(", dtoc: null}", "}"), "nctr[0].dtoc", "Field required"),
        (
            MINIMAL + "local:\n  - {code: p1.x, parent: nowhere, name: X}\n",
            "local[0].parent",
            "'nowhere' is not a national NCTR code",
        ),
        (
            MINIMAL
            + "local:\n  - {code: p1.x, parent: p1, name: X}\n"
            + "  - {code: p1.y, parent: p1.x, name: Y}\n",
            "local[1].parent",
            "'p1.x' is not a national NCTR code",
        ),
        (
            MINIMAL + "local:\n  - {code: p1.x, parent: p1, name: X, dtoc: Q}\n",
            "local[0].dtoc",
            "unknown DTOC category",
        ),
        (
            MINIMAL.replace("code: medical", "code: none_recorded"),
            "nctr[0].code",
            "reserved",
        ),
        (MINIMAL.replace("responsible: health", "responsible: council"), "nctr[0].responsible", ""),
        (MINIMAL + "version: again\n", "line 8", "repeated key 'version'"),
        ("version: [unclosed\n", "line 2", ""),
    ],
)
def test_a_broken_file_is_refused_naming_the_file_and_key(
    text: str, key: str, message: str
) -> None:
    with pytest.raises(DelayReasonsFileError) as caught:
        parse_delay_reasons(text, source="reasons.yaml")
    assert str(caught.value).startswith(f"reasons.yaml: {key}: ")
    assert message in str(caught.value)


def test_the_doc_table_of_the_mapping_matches_the_file() -> None:
    doc = (REASONS_FILE.parents[2] / "docs" / "patient-flow.md").read_text()
    for reason in reasons().national:
        dtoc = reason.dtoc or "none"
        row = f"| {reason.number} | `{reason.code}` |"
        line = next((ln for ln in doc.splitlines() if ln.startswith(row)), None)
        assert line is not None, f"docs/patient-flow.md has no row for {reason.code}"
        cells = [c.strip() for c in line.strip("|").split("|")]
        assert cells[3] == reason.responsible.value, reason.code
        assert cells[4].strip("`") == dtoc, reason.code
