"""Standard Webhooks signatures: the secret format and the three `webhook-*` headers.

Receivers verify callbacks with the official Standard Webhooks libraries, so this
follows the specification to the letter: a secret is `whsec_` and the standard base64
of 24 to 64 random bytes; the signed content is `{msg_id}.{timestamp}.{body}`; and
`webhook-signature` lists one `v1,<base64 HMAC-SHA256>` per active secret, separated
by spaces, so that during a rotation a receiver knowing either secret accepts the call.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import math
import re
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from secrets import token_bytes as _random_bytes

SECRET_PREFIX = "whsec_"  # noqa: S105 (the format's prefix, not a secret)
MIN_SECRET_BYTES = 24  # the specification's minimum (192 bits)
MAX_SECRET_BYTES = 64  # and its maximum (512 bits)
DEFAULT_SECRET_BYTES = 32
DEFAULT_ROTATION_OVERLAP = timedelta(hours=24)
SIGNATURE_VERSION = "v1"

# The id is part of the signed content, delimited by full stops: a `.` in it would let
# one (id, timestamp) pair pass for another. Whitespace would split the header value.
_MSG_ID = re.compile(r"[A-Za-z0-9_-]{1,255}")


class InvalidSecret(ValueError):
    """A secret that is not `whsec_` + base64 of 24 to 64 bytes."""


@dataclass(frozen=True, repr=False)
class WebhookSecret:
    """One endpoint's signing key. Its repr never shows the key, so logs cannot leak it."""

    key: bytes = field(repr=False)

    def __post_init__(self) -> None:
        if not MIN_SECRET_BYTES <= len(self.key) <= MAX_SECRET_BYTES:
            raise InvalidSecret(
                f"a secret has {MIN_SECRET_BYTES} to {MAX_SECRET_BYTES} bytes, not {len(self.key)}"
            )

    @classmethod
    def parse(cls, text: str) -> WebhookSecret:
        """Read a secret in its serialised form, `whsec_<base64>`."""
        if not text.startswith(SECRET_PREFIX):
            raise InvalidSecret(f"a secret starts with {SECRET_PREFIX!r}")
        try:
            key = base64.b64decode(text.removeprefix(SECRET_PREFIX), validate=True)
        except binascii.Error as exc:
            raise InvalidSecret("a secret is base64 after its prefix") from exc
        return cls(key)

    def reveal(self) -> str:
        """The serialised secret: shown to the endpoint's owner once, and stored."""
        return SECRET_PREFIX + base64.b64encode(self.key).decode("ascii")

    def __repr__(self) -> str:
        return f"WebhookSecret({SECRET_PREFIX}…)"


def new_secret(
    size: int = DEFAULT_SECRET_BYTES, *, token_bytes: Callable[[int], bytes] = _random_bytes
) -> WebhookSecret:
    """A fresh random secret; `token_bytes` is replaceable so tests can be repeatable."""
    return WebhookSecret(token_bytes(size))


@dataclass(frozen=True)
class SigningKeys:
    """An endpoint's current secret and, until `previous_until`, the one it replaced.

    Only two are kept: rotating again during an overlap retires the oldest at once.
    """

    current: WebhookSecret
    previous: WebhookSecret | None = None
    previous_until: datetime | None = None

    def __post_init__(self) -> None:
        if (self.previous is None) != (self.previous_until is None):
            raise ValueError("previous and previous_until go together")

    def active(self, now: datetime) -> tuple[WebhookSecret, ...]:
        """The secrets to sign with at `now`, the current one first."""
        if self.previous is None or self.previous_until is None or now >= self.previous_until:
            return (self.current,)
        return (self.current, self.previous)

    def rotate(
        self, new: WebhookSecret, now: datetime, overlap: timedelta = DEFAULT_ROTATION_OVERLAP
    ) -> SigningKeys:
        """Make `new` current; the current one stays active for `overlap` from `now`."""
        if overlap < timedelta(0):
            raise ValueError("a rotation overlap is not negative")
        return SigningKeys(current=new, previous=self.current, previous_until=now + overlap)


def sign(
    secrets: Sequence[WebhookSecret], msg_id: str, timestamp: datetime, body: bytes
) -> dict[str, str]:
    """The `webhook-id`, `webhook-timestamp` and `webhook-signature` headers for `body`.

    `msg_id` is the event id, the same on every attempt, so receivers can deduplicate;
    `timestamp` is the time of this attempt (timezone-aware), sent as whole seconds.
    `body` must be sent exactly as signed: re-serialising JSON breaks the signature.
    """
    if not secrets:
        raise ValueError("at least one secret is needed to sign")
    if not _MSG_ID.fullmatch(msg_id):
        raise ValueError("a message id is 1 to 255 of A-Z, a-z, 0-9, '_' and '-'")
    seconds = unix_seconds(timestamp)
    signatures = " ".join(signature(s, msg_id, seconds, body) for s in secrets)
    return {
        "webhook-id": msg_id,
        "webhook-timestamp": str(seconds),
        "webhook-signature": signatures,
    }


def signature(secret: WebhookSecret, msg_id: str, seconds: int, body: bytes) -> str:
    """One `v1,<base64>` signature of `{msg_id}.{seconds}.{body}`."""
    content = f"{msg_id}.{seconds}.".encode("ascii") + body
    digest = hmac.new(secret.key, content, hashlib.sha256).digest()
    return f"{SIGNATURE_VERSION},{base64.b64encode(digest).decode('ascii')}"


def unix_seconds(moment: datetime) -> int:
    """Whole seconds since the epoch, rounded down, as the specification sends them."""
    if moment.tzinfo is None or moment.utcoffset() is None:
        raise ValueError("a signing time is timezone-aware")
    seconds = math.floor(moment.timestamp())
    if seconds < 0:
        raise ValueError("a signing time is after 1970")
    return seconds
