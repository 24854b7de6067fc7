"""The NHS number: validation (Modulus 11), normal form, display form, and a value type.

An NHS number is personal data. `NhsNumber` therefore never shows its digits in `repr`
or `str` (so an f-string, a log line or a traceback cannot leak one by accident), and no
error raised here quotes the input. The digits are reached on purpose, through `.value`
or `.formatted()`.

The check (NHS Data Dictionary): with weights 10, 9, ..., 2 on the first nine digits,
`11 - (sum mod 11)` must equal the tenth digit, where 11 means 0 and 10 means the
number can never be valid. Numbers made of one repeated digit pass the arithmetic for
some digits (`0000000000`) but are never issued, so they are refused too.
"""

from __future__ import annotations

import re
from typing import Any, Final

from pydantic import GetCoreSchemaHandler, GetJsonSchemaHandler
from pydantic.json_schema import JsonSchemaValue
from pydantic_core import PydanticCustomError, core_schema

# Longest input worth looking at: 10 digits plus a few separators and padding.
MAX_INPUT_LENGTH: Final = 20
# Ten digits, a single space or hyphen allowed between any two (as the JSON schema says).
_GROUPED = re.compile(r"[0-9](?:[ -]?[0-9]){9}")
_SEPARATORS = re.compile(r"[ -]")
_WEIGHTS: Final = (10, 9, 8, 7, 6, 5, 4, 3, 2)


class InvalidNhsNumber(ValueError):
    """The input is not a valid NHS number. `code` is machine-readable; the message
    explains the rule broken and never contains the input."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


def check_digit(first_nine: str) -> int | None:
    """The check digit the first nine digits call for, or None when it would be 10
    (no number starting with those nine digits is valid)."""
    if len(first_nine) != len(_WEIGHTS) or not first_nine.isascii() or not first_nine.isdigit():
        raise ValueError("check_digit needs exactly nine ASCII digits")
    total = sum(int(digit) * weight for digit, weight in zip(first_nine, _WEIGHTS, strict=True))
    result = 11 - total % 11
    if result == 11:
        return 0
    return None if result == 10 else result


def normalise(raw: str) -> str:
    """The ten digits of a valid NHS number, from input that may group them with spaces
    or hyphens (`943 476 5919`, `943-476-5919`). Raises InvalidNhsNumber otherwise."""
    if len(raw) > MAX_INPUT_LENGTH:
        raise InvalidNhsNumber("nhs_number_format", "an NHS number has 10 digits")
    grouped = raw.strip()
    if not _GROUPED.fullmatch(grouped):
        raise InvalidNhsNumber(
            "nhs_number_format",
            "an NHS number has 10 digits (spaces or hyphens between them are allowed)",
        )
    digits = _SEPARATORS.sub("", grouped)
    if len(set(digits)) == 1:
        raise InvalidNhsNumber(
            "nhs_number_repeated_digit", "an NHS number cannot be one digit repeated"
        )
    if check_digit(digits[:9]) != int(digits[9]):
        raise InvalidNhsNumber(
            "nhs_number_check_digit",
            "not a valid NHS number: the check digit does not match (Modulus 11)",
        )
    return digits


def is_valid(raw: str) -> bool:
    try:
        normalise(raw)
    except InvalidNhsNumber:
        return False
    return True


def format_nhs_number(digits: str) -> str:
    """The 3-3-4 display form, `943 476 5919`."""
    value = normalise(digits)
    return f"{value[:3]} {value[3:6]} {value[6:]}"


class NhsNumber:
    """A valid NHS number. Use it as a pydantic field type: a bad number is a
    validation error on that field with a clear message and a machine code
    (`nhs_number_format`, `nhs_number_repeated_digit`, `nhs_number_check_digit`,
    `nhs_number_type`), and the field serialises to the ten digits.

    Models holding one should set `hide_input_in_errors=True`: pydantic keeps the raw
    input on each error, and that flag keeps it out of the error's text.
    """

    __slots__ = ("_digits",)
    _digits: str

    def __init__(self, raw: str) -> None:
        object.__setattr__(self, "_digits", normalise(raw))

    def __setattr__(self, name: str, value: object) -> None:
        raise AttributeError("NhsNumber is immutable")

    @property
    def value(self) -> str:
        """The ten digits, for storage (encrypted) and for callers allowed to see them."""
        return self._digits

    def formatted(self) -> str:
        return f"{self._digits[:3]} {self._digits[3:6]} {self._digits[6:]}"

    def __repr__(self) -> str:
        return "NhsNumber(<redacted>)"

    def __str__(self) -> str:
        return "<NHS number>"

    def __eq__(self, other: object) -> bool:
        return isinstance(other, NhsNumber) and other._digits == self._digits

    def __hash__(self) -> int:
        return hash(("NhsNumber", self._digits))

    @classmethod
    def __get_pydantic_core_schema__(
        cls, source: Any, handler: GetCoreSchemaHandler
    ) -> core_schema.CoreSchema:
        return core_schema.no_info_plain_validator_function(
            _from_input,
            serialization=core_schema.plain_serializer_function_ser_schema(
                _digits_of, when_used="always"
            ),
        )

    @classmethod
    def __get_pydantic_json_schema__(
        cls, schema: core_schema.CoreSchema, handler: GetJsonSchemaHandler
    ) -> JsonSchemaValue:
        return {
            "type": "string",
            "maxLength": MAX_INPUT_LENGTH,
            "pattern": r"^\s*" + _GROUPED.pattern + r"\s*$",
            "description": "NHS number: 10 digits with a valid Modulus 11 check digit; "
            "may be grouped 3-3-4 with spaces or hyphens",
            "examples": ["943 476 5919"],
        }


def _from_input(value: object) -> NhsNumber:
    if isinstance(value, NhsNumber):
        return value
    if not isinstance(value, str):
        # A JSON number would lose leading zeros, so only strings are accepted.
        raise PydanticCustomError("nhs_number_type", "an NHS number must be sent as a string")
    try:
        return NhsNumber(value)
    except InvalidNhsNumber as exc:
        raise PydanticCustomError(exc.code, exc.message) from None


def _digits_of(number: NhsNumber) -> str:
    return number.value
