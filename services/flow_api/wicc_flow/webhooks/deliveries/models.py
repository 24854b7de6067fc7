"""Deliveries (one event to one endpoint) and every attempt made to send them."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import BigInteger, Column, ForeignKey, Index, Text, text
from sqlalchemy.dialects.postgresql import UUID
from sqlmodel import Field, SQLModel

from wicc_flow.tables import SCHEMA
from wicc_shared.kernel.models import utc_column

OPEN_STATUSES = "status IN ('pending', 'in_flight')"


class WebhookDelivery(SQLModel, table=True):
    """One event to send to one endpoint, stored before any attempt is made.

    `body` is the event envelope exactly as signed and sent on every attempt. While an
    attempt is being made the row is `in_flight` under a lease (`lease_token`,
    `lease_until`): a dispatcher that dies leaves the lease to expire, and the delivery
    is then sent again, with the same `webhook-id`.
    """

    __tablename__ = "webhook_delivery"
    __table_args__ = (
        # The heads of each (endpoint, subject), for the dispatcher's plan.
        Index(
            "ix_webhook_delivery_open",
            "endpoint_id",
            "subject",
            "seq",
            postgresql_where=text(OPEN_STATUSES),
        ),
        Index("ix_webhook_delivery_endpoint_created", "endpoint_id", "created_at"),
        Index(
            "ix_webhook_delivery_in_flight",
            "lease_until",
            postgresql_where=text("status = 'in_flight'"),
        ),
        {"schema": SCHEMA},
    )

    id: uuid.UUID = Field(default_factory=uuid.uuid4, primary_key=True)
    endpoint_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey(f"{SCHEMA}.webhook_endpoint.id", ondelete="CASCADE"),
            nullable=False,
        )
    )
    event_id: uuid.UUID
    event_type: str = Field(max_length=100)
    subject: str = Field(sa_column=Column(Text, nullable=False))
    seq: int = Field(sa_column=Column(BigInteger, nullable=False))
    body: str = Field(sa_column=Column(Text, nullable=False))
    origin: str = Field(default="event", max_length=10)  # event | replay
    status: str = Field(default="pending", max_length=10)
    attempts: int = 0
    # Attempts made before the last manual retry: the schedule restarts after it.
    retry_base: int = 0
    next_attempt_at: datetime = Field(sa_column=utc_column())
    lease_token: uuid.UUID | None = None
    lease_until: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_attempt_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    last_status_code: int | None = None
    last_reason: str | None = Field(default=None, max_length=40)
    last_latency_ms: float | None = None
    last_excerpt: str | None = Field(default=None, sa_column=Column(Text))
    created_at: datetime = Field(sa_column=utc_column())
    delivered_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))


class WebhookAttempt(SQLModel, table=True):
    """One attempt: written when it is claimed (before the request is sent), completed
    when its answer is recorded, or marked `abandoned` when its lease expired."""

    __tablename__ = "webhook_attempt"
    __table_args__ = {"schema": SCHEMA}

    delivery_id: uuid.UUID = Field(
        sa_column=Column(
            UUID(as_uuid=True),
            ForeignKey(f"{SCHEMA}.webhook_delivery.id", ondelete="CASCADE"),
            primary_key=True,
        )
    )
    number: int = Field(primary_key=True)
    started_at: datetime = Field(sa_column=utc_column())
    finished_at: datetime | None = Field(default=None, sa_column=utc_column(nullable=True))
    outcome: str = Field(default="in_flight", max_length=20)
    reason: str | None = Field(default=None, max_length=40)
    status_code: int | None = None
    latency_ms: float | None = None
    excerpt: str | None = Field(default=None, sa_column=Column(Text))
