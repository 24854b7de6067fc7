"""The flow service's settings."""

from __future__ import annotations

from pydantic import Field, SecretStr, model_validator

from wicc_flow.webhooks.at_rest import DEVELOPMENT_KEY
from wicc_shared.settings import WiccSettings


class FlowSettings(WiccSettings):
    # Board frames kept for clients resuming with `since` (docs/configuration.md).
    board_history: int = Field(default=10_000, ge=10)
    # Frames one board may fall behind before it is dropped (and resumes).
    board_client_queue: int = Field(default=1_000, ge=1)
    # How long a frame may wait to leave before its board is dropped.
    board_send_timeout_seconds: float = Field(default=10.0, gt=0)

    # Webhooks (docs/webhooks.md, docs/configuration.md).
    # Lets webhook URLs reach loopback and private addresses: development and tests only.
    webhook_allow_private: bool = False
    # Fernet keys (newest first) that encrypt endpoints' signing secrets at rest.
    webhook_secret_keys: list[SecretStr] = Field(default_factory=list)
    # How long the replaced secret still signs after a rotation.
    webhook_rotation_overlap_hours: float = Field(default=24.0, ge=0, le=24 * 30)
    # How often the dispatcher looks for due deliveries when nothing woke it.
    webhook_poll_seconds: float = Field(default=1.0, gt=0, le=60)
    # A claimed delivery not finished within this is sent again (a dispatcher that died).
    webhook_lease_seconds: float = Field(default=60.0, ge=20, le=3600)
    # Deliveries in flight at once in one worker, over all endpoints.
    webhook_max_in_flight: int = Field(default=256, ge=1, le=10_000)
    # Finished deliveries (and their attempts) are kept this long.
    webhook_retention_days: int = Field(default=30, ge=1, le=3650)

    @model_validator(mode="after")
    def _refuse_unsafe_webhooks(self) -> FlowSettings:
        if self.env != "production":
            return self
        if self.webhook_allow_private:
            raise ValueError(
                "WICC_WEBHOOK_ALLOW_PRIVATE is for development and tests: webhooks may not "
                "call loopback or private addresses in production"
            )
        if not self.webhook_secret_keys:
            raise ValueError(
                "production needs WICC_WEBHOOK_SECRET_KEYS (a JSON list of Fernet keys) to "
                "encrypt webhook signing secrets"
            )
        if any(key.get_secret_value() == DEVELOPMENT_KEY for key in self.webhook_secret_keys):
            raise ValueError("the development webhook secret key is public: not in production")
        return self
