"""flow: webhook endpoints, deliveries, attempts and the dispatcher's inbox

Revision ID: 0007_webhooks
Revises: 0006_opel
Create Date: 2026-12-02 16:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0007_webhooks"
down_revision: str | None = "0006_opel"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

OPEN = sa.text("status IN ('pending', 'in_flight')")


def upgrade() -> None:
    _endpoint()
    _delivery()
    _attempt()
    op.create_table(
        "webhook_inbox",
        sa.Column("consumer", sa.Text(), nullable=False),
        sa.Column("event_id", sa.UUID(), nullable=False),
        sa.Column(
            "processed_at",
            sa.DateTime(timezone=True),
            server_default=sa.text("now()"),
            nullable=False,
        ),
        sa.PrimaryKeyConstraint("consumer", "event_id"),
        schema="flow",
    )


def _endpoint() -> None:
    op.create_table(
        "webhook_endpoint",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("url", sa.Text(), nullable=False),
        sa.Column("event_types", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("org_ods", sa.String(length=20), nullable=True),
        sa.Column("system_code", sa.String(length=40), nullable=True),
        sa.Column("description", sa.Text(), nullable=True),
        sa.Column("enabled", sa.Boolean(), nullable=False),
        sa.Column("max_in_flight", sa.Integer(), nullable=False),
        sa.Column("owner_org", sa.String(length=20), nullable=True),
        sa.Column("owner_system", sa.String(length=40), nullable=True),
        sa.Column("secret", sa.Text(), nullable=False),
        sa.Column("previous_secret", sa.Text(), nullable=True),
        sa.Column("previous_secret_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("secret_rotated_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("failing_since", sa.DateTime(timezone=True), nullable=True),
        sa.Column("paused_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("disabled_reason", sa.String(length=20), nullable=True),
        sa.Column("disabled_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("created_by", sa.String(length=64), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema="flow",
    )
    for column in ("owner_org", "owner_system"):
        op.create_index(
            op.f(f"ix_flow_webhook_endpoint_{column}"),
            "webhook_endpoint",
            [column],
            unique=False,
            schema="flow",
        )


def _delivery() -> None:
    op.create_table(
        "webhook_delivery",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("endpoint_id", sa.UUID(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=100), nullable=False),
        sa.Column("subject", sa.Text(), nullable=False),
        sa.Column("seq", sa.BigInteger(), nullable=False),
        sa.Column("body", sa.Text(), nullable=False),
        sa.Column("origin", sa.String(length=10), nullable=False),
        sa.Column("status", sa.String(length=10), nullable=False),
        sa.Column("attempts", sa.Integer(), nullable=False),
        sa.Column("retry_base", sa.Integer(), nullable=False),
        sa.Column("next_attempt_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("lease_token", sa.Uuid(), nullable=True),
        sa.Column("lease_until", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_attempt_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("last_status_code", sa.Integer(), nullable=True),
        sa.Column("last_reason", sa.String(length=40), nullable=True),
        sa.Column("last_latency_ms", sa.Float(), nullable=True),
        sa.Column("last_excerpt", sa.Text(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("delivered_at", sa.DateTime(timezone=True), nullable=True),
        sa.ForeignKeyConstraint(["endpoint_id"], ["flow.webhook_endpoint.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("id"),
        schema="flow",
    )
    op.create_index(
        "ix_webhook_delivery_open",
        "webhook_delivery",
        ["endpoint_id", "subject", "seq"],
        unique=False,
        schema="flow",
        postgresql_where=OPEN,
    )
    op.create_index(
        "ix_webhook_delivery_endpoint_created",
        "webhook_delivery",
        ["endpoint_id", "created_at"],
        unique=False,
        schema="flow",
    )
    op.create_index(
        "ix_webhook_delivery_in_flight",
        "webhook_delivery",
        ["lease_until"],
        unique=False,
        schema="flow",
        postgresql_where=sa.text("status = 'in_flight'"),
    )


def _attempt() -> None:
    op.create_table(
        "webhook_attempt",
        sa.Column("delivery_id", sa.UUID(), nullable=False),
        sa.Column("number", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("outcome", sa.String(length=20), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("status_code", sa.Integer(), nullable=True),
        sa.Column("latency_ms", sa.Float(), nullable=True),
        sa.Column("excerpt", sa.Text(), nullable=True),
        sa.ForeignKeyConstraint(["delivery_id"], ["flow.webhook_delivery.id"], ondelete="CASCADE"),
        sa.PrimaryKeyConstraint("delivery_id", "number"),
        schema="flow",
    )


def downgrade() -> None:
    op.drop_table("webhook_inbox", schema="flow")
    op.drop_table("webhook_attempt", schema="flow")
    op.drop_index("ix_webhook_delivery_in_flight", table_name="webhook_delivery", schema="flow")
    op.drop_index(
        "ix_webhook_delivery_endpoint_created", table_name="webhook_delivery", schema="flow"
    )
    op.drop_index("ix_webhook_delivery_open", table_name="webhook_delivery", schema="flow")
    op.drop_table("webhook_delivery", schema="flow")
    for column in ("owner_system", "owner_org"):
        op.drop_index(
            op.f(f"ix_flow_webhook_endpoint_{column}"),
            table_name="webhook_endpoint",
            schema="flow",
        )
    op.drop_table("webhook_endpoint", schema="flow")
