"""NHS numbers encrypted at rest: round trips, rotation, the blind index, and keys,
tokens and numbers kept out of every message."""

from __future__ import annotations

import base64

import pytest
from hypothesis import given, settings

from tests.builders.patients import VALID_NHS_NUMBER
from tests.flow.patient_strategies import valid_nhs_numbers
from wicc_flow.patients.nhs_crypto import NhsCryptoError, NhsNumberCipher, generate_key
from wicc_flow.patients.nhs_number import NhsNumber

OLD, NEW, INDEX = generate_key(), generate_key(), generate_key()
OTHER_NUMBER = "4010232137"


def test_generated_keys_are_random_32_byte_keys() -> None:
    keys = {generate_key() for _ in range(5)}
    assert len(keys) == 5
    assert all(len(base64.urlsafe_b64decode(k)) == 32 for k in keys)


def test_a_number_round_trips_and_each_token_is_different() -> None:
    cipher = NhsNumberCipher([NEW], INDEX)
    first, second = cipher.encrypt(VALID_NHS_NUMBER), cipher.encrypt(NhsNumber("943 476 5919"))
    assert first != second
    assert VALID_NHS_NUMBER not in first
    assert cipher.decrypt(first) == cipher.decrypt(second) == NhsNumber(VALID_NHS_NUMBER)


def test_an_invalid_number_is_never_encrypted() -> None:
    with pytest.raises(ValueError, match="check digit") as caught:
        NhsNumberCipher([NEW], INDEX).encrypt("9434765918")
    assert "9434765918" not in str(caught.value)


def test_rotation_add_the_new_key_first_re_encrypt_then_drop_the_old() -> None:
    before = NhsNumberCipher([OLD], INDEX)
    stored = before.encrypt(VALID_NHS_NUMBER)

    during = NhsNumberCipher([NEW, OLD], INDEX)
    assert during.decrypt(stored).value == VALID_NHS_NUMBER
    assert not during.is_current(stored)
    rotated = during.rotate(stored)
    assert during.is_current(rotated)
    assert during.is_current(during.encrypt(OTHER_NUMBER))

    after = NhsNumberCipher([NEW], INDEX)
    assert after.decrypt(rotated).value == VALID_NHS_NUMBER
    with pytest.raises(NhsCryptoError, match="cannot be decrypted"):
        after.decrypt(stored)  # the step that makes re-encrypting first necessary
    with pytest.raises(NhsCryptoError):
        after.rotate(stored)


def test_the_blind_index_finds_equal_numbers_and_only_them() -> None:
    cipher = NhsNumberCipher([NEW], INDEX)
    index = cipher.blind_index(VALID_NHS_NUMBER)
    assert (
        index
        == cipher.blind_index("943-476-5919")
        == cipher.blind_index(NhsNumber(VALID_NHS_NUMBER))
    )
    assert index != cipher.blind_index(OTHER_NUMBER)
    assert len(index) == 64 and int(index, 16) >= 0
    assert VALID_NHS_NUMBER not in index


def test_the_blind_index_depends_on_the_index_key_only() -> None:
    one = NhsNumberCipher([OLD], INDEX).blind_index(VALID_NHS_NUMBER)
    assert NhsNumberCipher([NEW, OLD], INDEX).blind_index(VALID_NHS_NUMBER) == one
    assert NhsNumberCipher([OLD], generate_key()).blind_index(VALID_NHS_NUMBER) != one


@pytest.mark.parametrize(
    ("keys", "index_key", "message"),
    [
        ([], INDEX, "at least one encryption key"),
        (NEW, INDEX, "at least one encryption key"),  # a bare string, not a list
        ([NEW, "short"], INDEX, "encryption key 2 of 2"),
        (["!!!not base64!!!"], INDEX, "encryption key 1 of 1"),
        ([NEW], base64.urlsafe_b64encode(b"x" * 16).decode(), "blind index key must decode to 32"),
        ([NEW], NEW, "must differ"),
    ],
)
def test_unusable_keys_are_refused_without_showing_them(
    keys: list[str] | str, index_key: str, message: str
) -> None:
    with pytest.raises(NhsCryptoError, match=message) as caught:
        NhsNumberCipher(keys, index_key)
    for key in [*([keys] if isinstance(keys, str) else keys), index_key]:
        assert key not in str(caught.value)


def test_a_tampered_or_foreign_token_is_refused_without_quoting_it() -> None:
    cipher = NhsNumberCipher([NEW], INDEX)
    token = cipher.encrypt(VALID_NHS_NUMBER)
    tampered = token[:-6] + ("A" if token[-6] != "A" else "B") + token[-5:]
    for bad in (
        tampered,
        "not a token",
        "ü",
        NhsNumberCipher([OLD], INDEX).encrypt(VALID_NHS_NUMBER),
    ):
        with pytest.raises(NhsCryptoError) as caught:
            cipher.decrypt(bad)
        assert bad not in str(caught.value)
        assert not cipher.is_current(bad)


def test_the_cipher_repr_shows_no_key() -> None:
    cipher = NhsNumberCipher([NEW, OLD], INDEX)
    text = repr(cipher) + str(cipher)
    assert all(key not in text for key in (NEW, OLD, INDEX))
    assert "2 key(s)" in repr(cipher)


@settings(max_examples=30)
@given(valid_nhs_numbers(), valid_nhs_numbers())
def test_round_trip_and_index_for_any_numbers(a: str, b: str) -> None:
    cipher = NhsNumberCipher([NEW, OLD], INDEX)
    assert cipher.decrypt(cipher.encrypt(a)).value == a
    assert (cipher.blind_index(a) == cipher.blind_index(b)) == (a == b)
