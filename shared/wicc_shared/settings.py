"""Process settings, read from the environment (and an optional `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]
MIN_ADMIN_TOKEN_LENGTH = 32

# Hours after its `as_of` that a care-capacity figure still counts as current, per
# service type. Home care and urgent care at home are brokered through the day, so
# their figures age faster than bed vacancies, which follow the daily reporting rhythm.
DEFAULT_CARE_FRESHNESS_HOURS: dict[str, float] = {
    "dom_care": 12.0,
    "reablement": 24.0,
    "urgent_care_at_home": 12.0,
    "intermediate_care_step_up": 24.0,
    "intermediate_care_step_down": 24.0,
    "community_hospital": 24.0,
    "care_home": 24.0,
}


class Settings(BaseSettings):
    """Everything a WICC process needs to know about where it runs.

    Infrastructure URLs are optional: without them the launcher starts the
    embedded PostgreSQL and Redis under `data_dir`.
    """

    model_config = SettingsConfigDict(
        env_prefix="WICC_", env_file=".env", extra="ignore", populate_by_name=True
    )

    env: Environment = "development"
    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "WICC_DATABASE_URL")
    )
    redis_url: str | None = Field(
        default=None, validation_alias=AliasChoices("REDIS_URL", "WICC_REDIS_URL")
    )
    host: str = "127.0.0.1"
    port: int = Field(default=8000, ge=1, le=65535)
    workers: int = Field(default=1, ge=1, le=64)
    # Sized for a burst of writes (the sitrep deadline): see docs/configuration.md.
    db_pool_size: int = Field(default=36, ge=1, le=500)
    db_max_overflow: int = Field(default=4, ge=0, le=500)
    data_dir: Path = Path(".wicc")
    admin_token: SecretStr | None = None
    system_file: Path = Path("reference/wiltshire.yaml")
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "console"

    event_stream: str = "wicc:events"
    stream_maxlen: int = Field(default=1_000_000, ge=1_000)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    board_history: int = Field(default=10_000, ge=10)
    board_client_queue: int = Field(default=1_000, ge=1)
    board_send_timeout_seconds: float = Field(default=10.0, gt=0)
    max_clock_skew_seconds: int = Field(default=120, ge=0)
    care_freshness_hours: dict[str, float] = Field(
        default_factory=lambda: dict(DEFAULT_CARE_FRESHNESS_HOURS)
    )

    @field_validator("care_freshness_hours")
    @classmethod
    def _merge_care_freshness(cls, value: dict[str, float]) -> dict[str, float]:
        """Merge over the defaults, so one service type can be tuned alone; refuse
        unknown types, because a misspelt one would silently keep its default."""
        unknown = sorted(set(value) - set(DEFAULT_CARE_FRESHNESS_HOURS))
        if unknown:
            raise ValueError(f"unknown care service type(s): {', '.join(unknown)}")
        if any(not 0 < hours < float("inf") for hours in value.values()):
            raise ValueError("freshness limits must be positive numbers of hours")
        return {**DEFAULT_CARE_FRESHNESS_HOURS, **value}

    @model_validator(mode="after")
    def _refuse_unsafe_production(self) -> Settings:
        if self.env != "production":
            return self
        missing = [
            name
            for name, value in (("DATABASE_URL", self.database_url), ("REDIS_URL", self.redis_url))
            if not value
        ]
        if missing:
            raise ValueError(f"production needs {', '.join(missing)}: embedded servers are for dev")
        token = self.admin_token.get_secret_value() if self.admin_token else ""
        if token and len(token) < MIN_ADMIN_TOKEN_LENGTH:
            raise ValueError(f"WICC_ADMIN_TOKEN must be at least {MIN_ADMIN_TOKEN_LENGTH} chars")
        return self

    @property
    def async_database_url(self) -> str:
        if self.database_url is None:
            raise RuntimeError("DATABASE_URL is not set and no embedded server was started")
        return to_asyncpg_url(self.database_url)


def to_asyncpg_url(url: str) -> str:
    """Accept plain `postgresql://` URLs too: operators paste them from their provider."""
    for plain in ("postgresql://", "postgres://"):
        if url.startswith(plain):
            return "postgresql+asyncpg://" + url[len(plain) :]
    return url


@lru_cache
def get_settings() -> Settings:
    return Settings()
