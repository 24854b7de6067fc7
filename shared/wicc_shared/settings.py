"""Settings, read from the environment (and an optional `.env`).

`WiccSettings` holds what every WICC process needs (where PostgreSQL and Redis are, the
event log, logging). Each service declares its own subclass with its own settings
(`wicc_capacity.settings.CapacitySettings`, ...); a process serving several services
uses a class that inherits from all of theirs.
"""

from __future__ import annotations

from pathlib import Path
from typing import Literal

from pydantic import AliasChoices, Field, SecretStr, field_validator, model_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from wicc_shared.rules.care_freshness import DEFAULT_CARE_FRESHNESS_HOURS

Environment = Literal["development", "test", "production"]
MIN_ADMIN_TOKEN_LENGTH = 32
# How long opening a PostgreSQL connection may take (asyncpg's own default is 60 s). A
# server that accepts the connection but does not answer (frozen, or a network dropping
# its packets) would otherwise hold each request that needs a new connection that long.
DB_CONNECT_TIMEOUT_SECONDS = 5.0
DB_POOL_TIMEOUT_SECONDS = 10.0


class WiccSettings(BaseSettings):
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
    workers: int = Field(default=1, ge=1, le=64)  # API processes of `wicc run`
    worker_port: int = Field(default=8001, ge=1, le=65535)  # `wicc worker`'s health endpoint
    # Sized for a burst of writes (the sitrep deadline): see docs/configuration.md.
    db_pool_size: int = Field(default=36, ge=1, le=500)
    db_max_overflow: int = Field(default=4, ge=0, le=500)
    db_connect_timeout_seconds: float = Field(default=DB_CONNECT_TIMEOUT_SECONDS, gt=0, le=60)
    db_pool_timeout_seconds: float = Field(default=DB_POOL_TIMEOUT_SECONDS, gt=0, le=60)
    # Requests one process serves at once; more are refused with 503 and Retry-After
    # rather than queued (wicc_shared/admission.py). About the database pool: beyond it a
    # request would only wait for a connection.
    max_in_flight: int = Field(default=48, ge=1, le=10_000)
    data_dir: Path = Path(".wicc")
    admin_token: SecretStr | None = None
    system_file: Path = Path("reference/wiltshire.yaml")
    log_level: str = "INFO"
    log_format: Literal["json", "console"] = "console"

    event_stream: str = "wicc:events"
    stream_maxlen: int = Field(default=1_000_000, ge=1_000)
    outbox_poll_seconds: float = Field(default=0.5, gt=0)
    max_clock_skew_seconds: int = Field(default=120, ge=0)
    # The body limit of every operation without one of its own (the CSV upload has its
    # own); the gateway and ingress allow 10 MiB in all.
    max_body_bytes: int = Field(default=256 * 1024, ge=1024, le=10 * 1024 * 1024)
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
    def _refuse_unsafe_production(self) -> WiccSettings:
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
