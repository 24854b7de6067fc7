"""NHS numbers encrypted at rest, with key rotation, and a blind index to find them.

Encryption: Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`) through
MultiFernet. Chosen over hand-assembled AES-GCM with a key-id prefix because the
recipe is authenticated, versioned and reviewed as a whole, leaves no nonce or token
format of our own to get wrong, and has rotation built in (`MultiFernet.rotate`).
What it costs is small here: tokens are about 100 characters, and while two keys are
configured a token under the older key is tried against the newer key first.

Keys come from settings, newest first. The first key encrypts; every key decrypts.
Rotation (docs/patient-flow.md): add the new key in front, re-encrypt every stored
token with `rotate` (`is_current` tells which still need it), then drop the old key.

Blind index: HMAC-SHA256 of the ten digits under a separate index key. Equal numbers
give equal indexes, so the service finds a patient by NHS number, or a duplicate, with
one indexed lookup instead of decrypting every row. There are only about a billion
valid NHS numbers, so anyone holding the index key can reverse an index by trying them
all: the index key is as secret as the encryption keys, and kept apart from the
database. Changing it means recomputing every index from the decrypted numbers.

Nothing here puts a number, a token or a key into a message or a repr.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
from collections.abc import Sequence
from typing import Final

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from wicc_flow.patients.nhs_number import InvalidNhsNumber, NhsNumber

KEY_BYTES: Final = 32


class NhsCryptoError(ValueError):
    """A key or token that cannot be used; the message never quotes either."""


def generate_key() -> str:
    """A new random key, for encryption or for the blind index (url-safe base64 of 32
    bytes, the Fernet key format)."""
    return Fernet.generate_key().decode("ascii")


def _key_bytes(key: str, what: str) -> bytes:
    try:
        raw = base64.urlsafe_b64decode(key.encode("ascii"))
    except (binascii.Error, UnicodeEncodeError, ValueError):
        raise NhsCryptoError(
            f"{what} is not url-safe base64 (make one with generate_key)"
        ) from None
    if len(raw) != KEY_BYTES:
        raise NhsCryptoError(
            f"{what} must decode to {KEY_BYTES} bytes (make one with generate_key)"
        )
    return raw


def _as_number(number: NhsNumber | str) -> NhsNumber:
    return number if isinstance(number, NhsNumber) else NhsNumber(number)


class NhsNumberCipher:
    """Encrypts, decrypts and indexes NHS numbers with the configured keys."""

    def __init__(self, keys: Sequence[str], index_key: str) -> None:
        if isinstance(keys, str) or not keys:
            raise NhsCryptoError("at least one encryption key is needed, newest first")
        for i, key in enumerate(keys, start=1):
            _key_bytes(key, f"encryption key {i} of {len(keys)}")
        index = _key_bytes(index_key, "the blind index key")
        if index_key in keys:
            raise NhsCryptoError("the blind index key must differ from every encryption key")
        self._current = Fernet(keys[0])
        self._all = MultiFernet([Fernet(key) for key in keys])
        self._index_key = index
        self._key_count = len(keys)

    def __repr__(self) -> str:
        return f"NhsNumberCipher(<{self._key_count} key(s)>)"

    def encrypt(self, number: NhsNumber | str) -> str:
        """A token for the number under the newest key (random each time)."""
        return self._all.encrypt(_as_number(number).value.encode("ascii")).decode("ascii")

    def decrypt(self, token: str) -> NhsNumber:
        try:
            plain = self._all.decrypt(token.encode("ascii"))
            return NhsNumber(plain.decode("ascii"))
        except (InvalidToken, UnicodeError, InvalidNhsNumber):
            raise NhsCryptoError("the token cannot be decrypted with the configured keys") from None

    def blind_index(self, number: NhsNumber | str) -> str:
        """HMAC-SHA256 of the ten digits under the index key, as 64 hex characters."""
        digits = _as_number(number).value.encode("ascii")
        return hmac.new(self._index_key, digits, hashlib.sha256).hexdigest()

    def rotate(self, token: str) -> str:
        """The same number re-encrypted under the newest key."""
        try:
            return self._all.rotate(token.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise NhsCryptoError("the token cannot be decrypted with the configured keys") from None

    def is_current(self, token: str) -> bool:
        """Whether the token is already under the newest key (no rotation needed)."""
        try:
            self._current.decrypt(token.encode("ascii"))
        except (InvalidToken, UnicodeError):
            return False
        return True
