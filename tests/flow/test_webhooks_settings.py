"""Webhook settings refused in production, and signing secrets encrypted at rest."""

from __future__ import annotations

from typing import Any

import pytest
from cryptography.fernet import Fernet
from pydantic import ValidationError

from wicc_flow.settings import FlowSettings
from wicc_flow.webhooks.at_rest import DEVELOPMENT_KEY, SecretBox, SecretUnreadable
from wicc_flow.webhooks.config import WebhookConfig
from wicc_flow.webhooks.signing import new_secret

PRODUCTION: dict[str, Any] = dict(
    env="production",
    database_url="postgresql://db/wicc",
    redis_url="redis://redis:6379/0",
    # Production also needs NHS-number keys of its own (not the public development ones).
    nhs_number_keys=[Fernet.generate_key().decode()],
    nhs_number_index_key=Fernet.generate_key().decode(),
)


def test_production_refuses_private_addresses() -> None:
    keys = [Fernet.generate_key().decode()]
    with pytest.raises(ValidationError, match="WICC_WEBHOOK_ALLOW_PRIVATE"):
        FlowSettings(**PRODUCTION, webhook_secret_keys=keys, webhook_allow_private=True)
    allowed = FlowSettings(env="development", webhook_allow_private=True)
    assert WebhookConfig.from_settings(allowed).policy.allow_private


def test_production_needs_keys_of_its_own_and_https() -> None:
    with pytest.raises(ValidationError, match="WICC_WEBHOOK_SECRET_KEYS"):
        FlowSettings(**PRODUCTION)
    with pytest.raises(ValidationError, match="development webhook secret key"):
        FlowSettings(**PRODUCTION, webhook_secret_keys=[DEVELOPMENT_KEY])
    settings = FlowSettings(**PRODUCTION, webhook_secret_keys=[Fernet.generate_key().decode()])
    policy = WebhookConfig.from_settings(settings).policy
    assert (policy.require_https, policy.allow_private) == (True, False)


def test_a_secret_is_sealed_and_opened_and_survives_a_key_rotation() -> None:
    old, new = Fernet.generate_key().decode(), Fernet.generate_key().decode()
    secret = new_secret()
    sealed = SecretBox([old]).seal(secret)
    assert secret.reveal() not in sealed
    rotated = SecretBox([new, old])
    assert rotated.open(sealed) == secret
    rewrapped = rotated.rewrap(sealed)
    assert SecretBox([new]).open(rewrapped) == secret
    with pytest.raises(SecretUnreadable):
        SecretBox([new]).open(sealed)
    assert "key" in repr(rotated) and old not in repr(rotated)


def test_a_bad_key_is_refused() -> None:
    with pytest.raises(ValueError, match="Fernet"):
        SecretBox(["not-a-key"])
    with pytest.raises(ValueError, match="at least one"):
        SecretBox([])
