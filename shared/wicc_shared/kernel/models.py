"""Tables of the shared kernel (schema `kernel`): reference data, API keys, audit.

Every service reads reference data and verifies keys, so they live in the one
schema that all services share; each service's own data lives in its own schema.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime, time
from typing import Any

from sqlalchemy import BigInteger, Column, DateTime, Identity, Index, Text, func
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

KERNEL_SCHEMA = "kernel"


def utc_column(*, nullable: bool = False, default_now: bool = False) -> Any:
    return Column(
        DateTime(timezone=True),
        nullable=nullable,
        server_default=func.now() if default_now else None,
    )


def _now() -> datetime:
    return datetime.now(UTC)


class CareSystem(SQLModel, table=True):
    __tablename__ = "care_system"
    __table_args__ = {"schema": KERNEL_SCHEMA}

    code: str = Field(primary_key=True, max_length=40)
    name: str
    timezone: str = "Europe/London"
    sitrep_deadline: time = time(11, 0)
    # When the worker builds the daily system-call summary, in the system's time zone.
    summary_time: time = Field(default=time(8, 30), sa_column_kwargs={"server_default": "08:30"})


class Locality(SQLModel, table=True):
    __tablename__ = "locality"
    __table_args__ = {"schema": KERNEL_SCHEMA}

    system_code: str = Field(primary_key=True, foreign_key="kernel.care_system.code")
    code: str = Field(primary_key=True, max_length=40)
    name: str


class Organisation(SQLModel, table=True):
    __tablename__ = "organisation"
    __table_args__ = {"schema": KERNEL_SCHEMA}

    ods: str = Field(primary_key=True, max_length=20)
    name: str
    kind: str = Field(max_length=30)
    system_code: str = Field(foreign_key="kernel.care_system.code", index=True)
    locality_code: str | None = None
    active: bool = True


class Site(SQLModel, table=True):
    __tablename__ = "site"
    __table_args__ = {"schema": KERNEL_SCHEMA}

    code: str = Field(primary_key=True, max_length=40)
    org_ods: str = Field(foreign_key="kernel.organisation.ods", index=True)
    name: str
    locality_code: str | None = None
    active: bool = True


class Unit(SQLModel, table=True):
    """A ward or bed pool: the grain at which bed figures are reported."""

    __tablename__ = "unit"
    __table_args__ = {"schema": KERNEL_SCHEMA}

    id: str = Field(primary_key=True, max_length=60)
    site_code: str = Field(foreign_key="kernel.site.code", index=True)
    org_ods: str = Field(foreign_key="kernel.organisation.ods", index=True)
    name: str
    bed_area: str = Field(max_length=40)
    baseline_beds: int | None = None
    active: bool = True


class ApiKey(SQLModel, table=True):
    """An API key; only the SHA-256 of the token is stored."""

    __tablename__ = "api_key"
    __table_args__ = {"schema": KERNEL_SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    token_hash: str = Field(unique=True, max_length=64)
    token_prefix: str = Field(max_length=16)
    role: str = Field(max_length=20)
    org_ods: str | None = Field(default=None, foreign_key="kernel.organisation.ods")
    system_code: str | None = Field(default=None, foreign_key="kernel.care_system.code")
    label: str | None = None
    created_by: str
    created_at: datetime = Field(default_factory=_now, sa_column=utc_column(default_now=True))
    revoked_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class AuditEntry(SQLModel, table=True):
    """Append-only (a trigger refuses UPDATE and DELETE): who changed what, when."""

    __tablename__ = "audit_log"
    __table_args__ = (
        Index("ix_audit_entity", "entity_type", "entity_id"),
        {"schema": KERNEL_SCHEMA},
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    at: datetime = Field(default_factory=_now, sa_column=utc_column(default_now=True))
    actor: str
    actor_role: str
    org_ods: str | None = None
    action: str
    entity_type: str
    entity_id: str
    before: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    after: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    correlation_id: str | None = Field(default=None, sa_column=Column(Text))


class CareService(SQLModel, table=True):
    """A service an organisation provides outside hospital, and where."""

    __tablename__ = "care_service"
    __table_args__ = {"schema": KERNEL_SCHEMA}

    org_ods: str = Field(primary_key=True, foreign_key="kernel.organisation.ods")
    service_type: str = Field(primary_key=True, max_length=40)
    localities: list[str] = Field(default_factory=list, sa_type=JSONB)
    active: bool = True


class IdempotencyRecord(SQLModel, table=True):
    """A write's response kept under the client's Idempotency-Key, so a retry
    returns the original result instead of doing the write again."""

    __tablename__ = "idempotency"
    __table_args__ = {"schema": KERNEL_SCHEMA}

    key_id: str = Field(primary_key=True, max_length=64)
    idempotency_key: str = Field(primary_key=True, max_length=200)
    method: str = Field(max_length=10)
    path: str
    request_hash: str = Field(max_length=64)
    status_code: int
    response: dict[str, Any] | None = Field(default=None, sa_column=Column(JSONB))
    created_at: datetime = Field(default_factory=_now, sa_column=utc_column(default_now=True))


class JobRun(SQLModel, table=True):
    """One run of a scheduled job (a sitrep deadline check, a purge): which process
    ran it, when, and how it ended. Claimed under a lock, so a job runs once per
    interval however many worker processes there are."""

    __tablename__ = "job_run"
    __table_args__ = (
        Index("ix_job_run_job_started", "job", "started_at"),
        {"schema": KERNEL_SCHEMA},
    )

    id: int | None = Field(default=None, sa_column=Column(BigInteger, Identity(), primary_key=True))
    job: str = Field(max_length=60)
    runner: str = Field(max_length=120)
    started_at: datetime = Field(sa_column=utc_column())
    finished_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    ok: bool | None = None
    result: str | None = Field(default=None, sa_column=Column(Text))
