"""The flow service's settings."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

from pydantic import Field, SecretStr, field_validator, model_validator
from pydantic_settings import NoDecode, SettingsConfigDict

from wicc_flow.patients.nhs_crypto import NhsCryptoError, NhsNumberCipher
from wicc_flow.webhooks.at_rest import DEVELOPMENT_KEY
from wicc_shared.settings import WiccSettings

# Published in docker-compose.yml so that the development stack starts at once: known
# to everyone, so never acceptable in production.
DEVELOPMENT_NHS_NUMBER_KEYS = ("jGYRp8UI7B17S2hDF9eOGVbUB-fHtrp3EKHUfR36Vxw=",)
DEVELOPMENT_NHS_NUMBER_INDEX_KEY = "mTDUXAKqNoLQzAEP0Pii8CpSpdTnmkstRDwS7ky4hGI="


class FlowSettings(WiccSettings):
    # A refused setting must not print the secrets it was given.
    model_config = SettingsConfigDict(hide_input_in_errors=True)

    # Board frames kept for clients resuming with `since` (docs/configuration.md).
    board_history: int = Field(default=10_000, ge=10)
    # Frames one board may fall behind before it is dropped (and resumes).
    board_client_queue: int = Field(default=1_000, ge=1)
    # How long a frame may wait to leave before its board is dropped.
    board_send_timeout_seconds: float = Field(default=10.0, gt=0)

    # NHS numbers are stored encrypted (docs/patient-flow.md): the encryption keys, newest
    # first, comma-separated, and the blind-index key. Unset outside production, they are
    # generated once into the data directory.
    nhs_number_keys: Annotated[list[SecretStr], NoDecode] = Field(default_factory=list)
    nhs_number_index_key: SecretStr | None = None
    # The delay-reason lists (NCTR and DTOC) the patient records and reports use.
    delay_reasons_file: Path = Path("reference/delay-reasons/v1.yaml")
    # How often a worker looks for trusts whose day has changed (a fresh discharge sitrep).
    discharge_sitrep_check_seconds: float = Field(default=60.0, gt=0, le=3600)
    # How often the worker checks whether a care system's daily summary is due.
    summary_check_seconds: float = Field(default=60.0, gt=0, le=3600)
    # matplotlib's configuration and font cache (MPLCONFIGDIR) for the summary charts;
    # unset: matplotlib's own default (a read-only home falls back to a temporary dir).
    matplotlib_config_dir: Path | None = None
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

    @field_validator("nhs_number_keys", mode="before")
    @classmethod
    def _split_keys(cls, value: object) -> object:
        if isinstance(value, str):
            return [part.strip() for part in value.split(",") if part.strip()]
        return value

    @model_validator(mode="after")
    def _check_nhs_number_keys(self) -> FlowSettings:
        keys = [key.get_secret_value() for key in self.nhs_number_keys]
        index = self.nhs_number_index_key
        if bool(keys) != (index is not None):
            raise ValueError("set WICC_NHS_NUMBER_KEYS and WICC_NHS_NUMBER_INDEX_KEY together")
        if keys and index is not None:
            try:
                NhsNumberCipher(keys, index.get_secret_value())
            except NhsCryptoError as exc:  # the message never quotes a key
                raise ValueError(f"WICC_NHS_NUMBER_KEYS / _INDEX_KEY: {exc}") from None
        if self.env == "production":
            _refuse_unsafe_keys(keys, index)
        return self

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


def _refuse_unsafe_keys(keys: list[str], index: SecretStr | None) -> None:
    if not keys or index is None:
        raise ValueError(
            "production needs WICC_NHS_NUMBER_KEYS and WICC_NHS_NUMBER_INDEX_KEY: "
            "keys are generated only for development"
        )
    if set(keys) & set(DEVELOPMENT_NHS_NUMBER_KEYS) or (
        index.get_secret_value() == DEVELOPMENT_NHS_NUMBER_INDEX_KEY
    ):
        raise ValueError("the development NHS number keys are public: generate your own")
