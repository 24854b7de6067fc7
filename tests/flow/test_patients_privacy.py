"""No NHS number in a log line, an exception message or a repr, on any path of the
patient modules, valid number or not."""

from __future__ import annotations

import ast
import logging
from collections.abc import Callable
from datetime import timedelta
from pathlib import Path

import pytest
from pydantic import BaseModel, ConfigDict, ValidationError

from tests.builders.patients import LONDON, at, reasons
from wicc_flow.patients import nhs_number
from wicc_flow.patients.csv_import import parse_patient_csv
from wicc_flow.patients.nhs_crypto import NhsCryptoError, NhsNumberCipher, generate_key
from wicc_flow.patients.nhs_number import NhsNumber, format_nhs_number, normalise
from wicc_flow.patients.validation import CheckContext, check_patient

PACKAGE = Path(nhs_number.__file__).parent
VALID = "9434765919"
BAD_CHECK = "9434765918"
CTX = CheckContext(now=at("2024-11-12", 10), max_skew=timedelta(0), tz=LONDON, reasons=reasons())
HEADER = (
    "local_ref,nhs_number,unit_id,admitted_at,discharge_ready_date,pathway,destination_locality"
)


def leaks(text: str) -> bool:
    digits = {VALID, BAD_CHECK}
    forms = {f"{d[:3]} {d[3:6]} {d[6:]}" for d in digits} | {
        f"{d[:3]}-{d[3:6]}-{d[6:]}" for d in digits
    }
    return any(form in text for form in digits | forms) or "765919" in text or "765918" in text


class Body(BaseModel):
    model_config = ConfigDict(hide_input_in_errors=True)
    nhs_number: NhsNumber


def test_no_patient_module_logs_or_prints() -> None:
    for module in PACKAGE.glob("*.py"):
        tree = ast.parse(module.read_text())
        names = {
            a.name
            for n in ast.walk(tree)
            if isinstance(n, ast.Import | ast.ImportFrom)
            for a in n.names
        }
        calls = {
            n.func.id
            for n in ast.walk(tree)
            if isinstance(n, ast.Call) and isinstance(n.func, ast.Name)
        }
        assert "logging" not in names, module.name
        assert "print" not in calls, module.name


ERROR_PATHS: list[tuple[str, Callable[[], object]]] = [
    ("normalise, bad check digit", lambda: normalise(BAD_CHECK)),
    ("normalise, grouped", lambda: normalise("943 476 5918")),
    ("normalise, too long", lambda: normalise(VALID + "1")),
    ("value type", lambda: NhsNumber(BAD_CHECK)),
    ("format", lambda: format_nhs_number(BAD_CHECK)),
    ("encrypt", lambda: NhsNumberCipher([generate_key()], generate_key()).encrypt(BAD_CHECK)),
    (
        "blind index",
        lambda: NhsNumberCipher([generate_key()], generate_key()).blind_index(BAD_CHECK),
    ),
    ("field type", lambda: Body.model_validate({"nhs_number": BAD_CHECK})),
    ("field type, json", lambda: Body.model_validate_json(f'{{"nhs_number": "{BAD_CHECK}"}}')),
]


@pytest.mark.parametrize("call", [c for _, c in ERROR_PATHS], ids=[n for n, _ in ERROR_PATHS])
def test_errors_never_carry_the_number(
    call: Callable[[], object], caplog: pytest.LogCaptureFixture
) -> None:
    caplog.set_level(logging.DEBUG)
    with pytest.raises(ValueError, match="NHS number") as caught:
        call()
    exc: BaseException | None = caught.value
    while exc is not None:  # the whole chain, as a traceback would print it
        assert not leaks(str(exc)) and not leaks(repr(exc)), type(exc).__name__
        exc = exc.__cause__ or (None if exc.__suppress_context__ else exc.__context__)
    if isinstance(caught.value, ValidationError):
        assert not leaks(str(caught.value.errors(include_input=False)))
    assert not leaks(caplog.text)


def test_decrypting_with_the_wrong_key_does_not_quote_the_token_or_number() -> None:
    token = NhsNumberCipher([generate_key()], generate_key()).encrypt(VALID)
    with pytest.raises(NhsCryptoError, match="cannot be decrypted") as caught:
        NhsNumberCipher([generate_key()], generate_key()).decrypt(token)
    assert token not in str(caught.value) and not leaks(str(caught.value))


def test_csv_errors_and_results_never_carry_the_number(caplog: pytest.LogCaptureFixture) -> None:
    caplog.set_level(logging.DEBUG)
    rows = [
        f"R1,{VALID},W1,2024-11-01T09:00Z,2024-11-05,1,south",
        f"R2,{VALID},W1,2024-11-01T09:00Z,2024-11-05,1,south",
        f"R3,{BAD_CHECK},W1,2024-11-01T09:00Z,2024-11-05,1,south",
        "R4,943 476 5919,W1,2024-11-01T09:00Z,2024-11-25,1,south",
    ]
    failed = parse_patient_csv("\n".join([HEADER, *rows]).encode(), CTX)
    assert len(failed.errors) == 3
    assert not leaks(repr(failed)) and not leaks(str(failed.errors))
    good = parse_patient_csv("\n".join([HEADER, rows[0]]).encode(), CTX)
    assert good.ok and good.rows[0].patient.nhs_number == NhsNumber(VALID)
    assert not leaks(repr(good)) and not leaks(str(good.rows))
    assert not leaks(caplog.text)


def test_record_problems_and_reprs_never_carry_the_number() -> None:
    parsed = parse_patient_csv(
        f"{HEADER}\nR1,{VALID},W1,2024-11-01T09:00Z,2024-11-05,1,south".encode(), CTX
    )
    draft = parsed.rows[0].patient
    assert not leaks(repr(draft)) and not leaks(str(draft))
    strict = CheckContext(
        now=at("2024-11-02", 10), max_skew=timedelta(0), tz=LONDON, reasons=reasons()
    )
    problems = check_patient(draft, strict)
    assert problems and not leaks(repr(problems))


def test_the_value_and_the_cipher_show_nothing() -> None:
    number = NhsNumber(VALID)
    cipher = NhsNumberCipher([generate_key()], generate_key())
    for text in (
        repr(number),
        str(number),
        f"{number!r} {number}",
        repr(cipher),
        repr(Body(nhs_number=number)),
    ):
        assert not leaks(text)


def test_a_file_sent_without_its_header_does_not_echo_its_first_row() -> None:
    headerless = f"R1,{VALID},W1,2024-11-01T09:00Z,2024-11-05,1,south\n".encode()
    result = parse_patient_csv(headerless, CTX)
    assert {e.code for e in result.errors} == {"unknown_column", "missing_column"}
    assert ("(column 2)", "unknown_column") in {(e.column, e.code) for e in result.errors}
    assert not leaks(repr(result))


def test_a_number_in_the_wrong_column_is_not_quoted() -> None:
    shifted = f"R1,W1,{VALID},2024-11-01T09:00Z,2024-11-05,1"
    header = "local_ref,unit_id,destination_locality,admitted_at,discharge_ready_date,pathway"
    known = CheckContext(
        now=CTX.now, max_skew=CTX.max_skew, tz=LONDON, reasons=reasons(), localities={"south"}
    )
    result = parse_patient_csv(f"{header}\n{shifted}".encode(), known)
    assert (2, "destination_locality", "unknown_code") in {
        (e.line, e.column, e.code) for e in result.errors
    }
    assert not leaks(repr(result))
