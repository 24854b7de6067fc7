"""Process settings, read from the environment (and an optional `.env`)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

Environment = Literal["development", "test", "production"]
MIN_ADMIN_TOKEN_LENGTH = 32


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
