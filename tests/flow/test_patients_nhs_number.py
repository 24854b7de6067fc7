"""The NHS number: Modulus 11, normal and display forms, and the pydantic field type."""

from __future__ import annotations

import re

import pytest
from hypothesis import given
from hypothesis import strategies as st
from pydantic import BaseModel, ConfigDict, ValidationError

from tests.builders.patients import VALID_NHS_NUMBER
from tests.flow.patient_strategies import valid_nhs_numbers
from wicc_flow.patients.nhs_number import (
    InvalidNhsNumber,
    NhsNumber,
    check_digit,
    format_nhs_number,
    is_valid,
    normalise,
)


class Body(BaseModel):
    model_config = ConfigDict(hide_input_in_errors=True)
    nhs_number: NhsNumber


def test_the_example_from_the_domain_is_valid_in_every_accepted_form() -> None:
    for raw in ("9434765919", "943 476 5919", "943-476-5919", " 943 476 5919 "):
        assert normalise(raw) == VALID_NHS_NUMBER
    assert format_nhs_number(VALID_NHS_NUMBER) == "943 476 5919"


@pytest.mark.parametrize(
    ("first_nine", "expected"),
    [
        ("943476591", 9),  # the domain's example: sum 299, 299 mod 11 = 2, 11 - 2 = 9
        ("000000001", 9),  # sum 1 x 2 = 2
        ("000000005", 1),  # sum 10
        ("000000011", 6),  # sum 1 x 3 + 1 x 2 = 5
        ("000000100", 7),  # sum 1 x 4 = 4
    ],
)
def test_check_digit_is_11_minus_the_weighted_sum_mod_11(first_nine: str, expected: int) -> None:
    assert check_digit(first_nine) == expected


def test_a_remainder_of_zero_gives_check_digit_0() -> None:
    # 3 x 3 + 1 x 2 = 11: remainder 0, 11 - 0 = 11, which means 0.
    assert check_digit("000000031") == 0
    assert normalise("0000000310") == "0000000310"


def test_a_remainder_of_one_is_never_valid() -> None:
    # 3*4 = 12 -> remainder 1 -> 11 - 1 = 10: no check digit can satisfy it.
    assert check_digit("000000040") is None
    assert not any(is_valid(f"000000040{d}") for d in "0123456789")


@pytest.mark.parametrize("repeated", [str(d) * 10 for d in range(10)])
def test_one_repeated_digit_is_refused_even_when_the_arithmetic_passes(repeated: str) -> None:
    with pytest.raises(InvalidNhsNumber) as caught:
        normalise(repeated)
    assert caught.value.code in {"nhs_number_repeated_digit"}


@pytest.mark.parametrize(
    "raw",
    [
        "943476591",
        "94347659190",
        "943476591x",
        "943_476_5919",
        "",
        VALID_NHS_NUMBER.translate({ord(d): ord(d) + 0xFEE0 for d in "0123456789"}),  # fullwidth
        "9" * 30,
    ],
)
def test_anything_but_ten_digits_is_a_format_error(raw: str) -> None:
    with pytest.raises(InvalidNhsNumber) as caught:
        normalise(raw)
    assert caught.value.code == "nhs_number_format"


def test_a_wrong_check_digit_is_a_check_digit_error() -> None:
    with pytest.raises(InvalidNhsNumber) as caught:
        normalise("9434765918")
    assert caught.value.code == "nhs_number_check_digit"


@given(valid_nhs_numbers())
def test_generated_valid_numbers_pass(number: str) -> None:
    assert normalise(number) == number
    assert NhsNumber(format_nhs_number(number)).value == number


@given(valid_nhs_numbers(), st.integers(0, 9), st.integers(1, 9))
def test_any_single_digit_change_makes_a_valid_number_invalid(
    number: str, position: int, shift: int
) -> None:
    changed_digit = (int(number[position]) + shift) % 10
    changed = number[:position] + str(changed_digit) + number[position + 1 :]
    assert not is_valid(changed)


def test_the_value_type_hides_its_digits_from_repr_and_str() -> None:
    number = NhsNumber("943 476 5919")
    for text in (repr(number), str(number), f"{number}", repr([number]), repr({"n": number})):
        assert "5919" not in text
    assert number.value == VALID_NHS_NUMBER
    assert number.formatted() == "943 476 5919"
    assert number == NhsNumber("943-476-5919")
    assert len({number, NhsNumber(VALID_NHS_NUMBER)}) == 1


def test_the_value_type_is_immutable() -> None:
    number = NhsNumber(VALID_NHS_NUMBER)
    with pytest.raises(AttributeError):
        number._digits = "4010232137"


def test_as_a_field_type_it_accepts_grouped_input_and_serialises_the_digits() -> None:
    body = Body.model_validate_json('{"nhs_number": "943 476 5919"}')
    assert body.nhs_number == NhsNumber(VALID_NHS_NUMBER)
    assert body.model_dump() == {"nhs_number": VALID_NHS_NUMBER}
    assert body.model_dump_json() == '{"nhs_number":"9434765919"}'
    assert "5919" not in repr(body)


@pytest.mark.parametrize(
    ("raw", "code"),
    [
        ('"9434765918"', "nhs_number_check_digit"),
        ('"0000000000"', "nhs_number_repeated_digit"),
        ('"94347"', "nhs_number_format"),
        ("9434765919", "nhs_number_type"),
    ],
)
def test_as_a_field_type_a_bad_number_names_the_field_with_a_clear_message(
    raw: str, code: str
) -> None:
    with pytest.raises(ValidationError) as caught:
        Body.model_validate_json(f'{{"nhs_number": {raw}}}')
    [error] = caught.value.errors(include_input=False)
    assert error["loc"] == ("nhs_number",)
    assert error["type"] == code
    assert "NHS number" in error["msg"]
    assert raw.strip('"') not in str(caught.value)
    assert raw.strip('"') not in error["msg"]


def test_the_json_schema_describes_a_string_with_an_example() -> None:
    schema = Body.model_json_schema()["properties"]["nhs_number"]
    assert schema["type"] == "string"
    assert schema["examples"] == ["943 476 5919"]


@given(st.text(alphabet="0123456789 -", max_size=16))
def test_the_json_schema_pattern_accepts_exactly_the_inputs_with_a_readable_format(
    raw: str,
) -> None:
    pattern = Body.model_json_schema()["properties"]["nhs_number"]["pattern"]
    try:
        normalise(raw)
        readable = True
    except InvalidNhsNumber as exc:
        readable = exc.code != "nhs_number_format"
    assert bool(re.fullmatch(pattern, raw)) == readable


@pytest.mark.parametrize("raw", ["943  476 5919", "943 476 5919-", "-9434765919", "94 34 76 59 19"])
def test_separators_are_single_and_between_digits(raw: str) -> None:
    assert is_valid(raw) == (raw == "94 34 76 59 19")
