"""Webhook endpoints: where callbacks go, what they subscribe to, and who owns them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import Column, Text
from sqlalchemy.dialects.postgresql import JSONB
from sqlmodel import Field, SQLModel

from wicc_flow.tables import SCHEMA
from wicc_shared.kernel.models import utc_column


class WebhookEndpoint(SQLModel, table=True):
    """One endpoint. Its signing secrets are stored encrypted (`at_rest.SecretBox`)."""

    __tablename__ = "webhook_endpoint"
    __table_args__ = {"schema": SCHEMA}

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    url: str = Field(sa_column=Column(Text, nullable=False))
    event_types: list[str] = Field(sa_type=JSONB)
    # The subscription's optional organisation or care system.
    org_ods: str | None = Field(default=None, max_length=20)
    system_code: str | None = Field(default=None, max_length=40)
    description: str | None = Field(default=None, sa_column=Column(Text))
    enabled: bool = True
    max_in_flight: int = 4
    # The owner's scope (the creating key's), which bounds what the endpoint receives.
    owner_org: str | None = Field(default=None, max_length=20, index=True)
    owner_system: str | None = Field(default=None, max_length=40, index=True)
    secret: str = Field(sa_column=Column(Text, nullable=False))
    previous_secret: str | None = Field(default=None, sa_column=Column(Text))
    previous_secret_until: datetime | None = Field(
        default=None, sa_column=utc_column(nullable=True)
    )
    secret_rotated_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # First failure since the last success: 5 days of it disables the endpoint.
    failing_since: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    # No attempt before this (a receiver's Retry-After on 429 or 503).
    paused_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    disabled_reason: str | None = Field(default=None, max_length=20)
    disabled_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    created_by: str = Field(max_length=64)
    created_at: datetime = Field(sa_column=utc_column())
    updated_at: datetime = Field(sa_column=utc_column())
