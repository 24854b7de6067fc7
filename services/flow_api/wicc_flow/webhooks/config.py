"""What the webhook code of one process needs from its settings, built once."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import timedelta

from wicc_flow.settings import FlowSettings
from wicc_flow.webhooks.at_rest import SecretBox
from wicc_flow.webhooks.ssrf import Resolver, UrlPolicy
from wicc_flow.webhooks.transport import system_resolver
from wicc_shared.catalogue import CATALOGUE


@dataclass
class WebhookConfig:
    """`resolve` is the DNS resolver used for every URL check and every delivery; tests
    replace it with a table, so that no test ever looks a name up or leaves loopback."""

    policy: UrlPolicy
    box: SecretBox
    rotation_overlap: timedelta
    known_types: frozenset[str] = field(default_factory=CATALOGUE.names)
    resolve: Resolver = system_resolver

    @classmethod
    def from_settings(cls, settings: FlowSettings) -> WebhookConfig:
        production = settings.env == "production"
        keys = [key.get_secret_value() for key in settings.webhook_secret_keys]
        return cls(
            policy=UrlPolicy(
                allow_private=settings.webhook_allow_private, require_https=production
            ),
            box=SecretBox.for_settings(keys, production=production),
            rotation_overlap=timedelta(hours=settings.webhook_rotation_overlap_hours),
        )
