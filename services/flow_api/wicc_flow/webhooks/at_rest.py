"""Signing secrets encrypted at rest.

WICC must keep each endpoint's secret itself (it signs every callback with it), so the
database holds it encrypted: Fernet (AES-128-CBC with HMAC-SHA256, from `cryptography`)
through MultiFernet, the recipe the patient records use for NHS numbers, for the same
reasons: authenticated, versioned, reviewed as a whole, with key rotation built in. A
copy of the database alone (a backup, a replica) gives no secret away.

Keys come from settings (`WICC_WEBHOOK_SECRET_KEYS`), newest first: the first encrypts,
every one decrypts. Rotate by adding a new key in front; `rewrap` re-encrypts a stored
secret under it; then drop the old key once none is left under it.

Outside production, with no key configured, a fixed development key is used, so that
every process of a development system (API and worker) agrees without setup. It is
public (it is in this file): production refuses to start without keys of its own, and
refuses this one.
"""

from __future__ import annotations

from collections.abc import Sequence

from cryptography.fernet import Fernet, InvalidToken, MultiFernet

from wicc_flow.webhooks.signing import InvalidSecret, WebhookSecret

DEVELOPMENT_KEY = "d2ljYy1kZXZlbG9wbWVudC1vbmx5LXdlYmhvb2sta2s="


class SecretUnreadable(ValueError):
    """A stored secret that no configured key decrypts; the message never quotes it."""


class SecretBox:
    """Encrypts and decrypts endpoints' signing secrets with the configured keys."""

    def __init__(self, keys: Sequence[str]) -> None:
        if isinstance(keys, str) or not keys:
            raise ValueError("at least one key is needed, newest first")
        try:
            fernets = [Fernet(key) for key in keys]
        except (ValueError, TypeError):
            raise ValueError(
                "a webhook secret key is url-safe base64 of 32 bytes (Fernet.generate_key())"
            ) from None
        self._all = MultiFernet(fernets)
        self._count = len(keys)

    @classmethod
    def for_settings(cls, keys: Sequence[str], *, production: bool) -> SecretBox:
        if keys:
            return cls(keys)
        if production:
            raise ValueError("production needs webhook secret keys of its own")
        return cls([DEVELOPMENT_KEY])

    def __repr__(self) -> str:
        return f"SecretBox(<{self._count} key(s)>)"

    def seal(self, secret: WebhookSecret) -> str:
        """The secret, encrypted under the newest key (different every time)."""
        return self._all.encrypt(secret.reveal().encode("ascii")).decode("ascii")

    def open(self, sealed: str) -> WebhookSecret:
        try:
            return WebhookSecret.parse(self._all.decrypt(sealed.encode("ascii")).decode("ascii"))
        except (InvalidToken, UnicodeError, InvalidSecret):
            raise SecretUnreadable("a stored webhook secret cannot be decrypted") from None

    def rewrap(self, sealed: str) -> str:
        """The same secret encrypted under the newest key."""
        try:
            return self._all.rotate(sealed.encode("ascii")).decode("ascii")
        except (InvalidToken, UnicodeError):
            raise SecretUnreadable("a stored webhook secret cannot be decrypted") from None
