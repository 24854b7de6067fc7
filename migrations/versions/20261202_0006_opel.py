"""escalation: OPEL inputs, calculated and declared levels, actions

Revision ID: 0006_opel
Revises: 0005_summaries
Create Date: 2026-12-02 15:30:00
"""

from collections.abc import Sequence
from datetime import datetime

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0006_opel"
down_revision: str | None = "0005_summaries"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None

SCHEMA = "escalation"


def _utc(name: str, *, nullable: bool = False) -> sa.Column[datetime]:
    return sa.Column(name, sa.DateTime(timezone=True), nullable=nullable)


def upgrade() -> None:
    op.add_column(
        "unit_beds",
        sa.Column("escalation_open", sa.Integer(), server_default=sa.text("0"), nullable=False),
        schema=SCHEMA,
    )
    op.add_column("unit_beds", sa.Column("event_id", sa.Uuid(), nullable=True), schema=SCHEMA)
    op.create_table(
        "input_fact",
        sa.Column("org_ods", sa.String(length=20), nullable=False),
        sa.Column("name", sa.String(length=60), nullable=False),
        sa.Column("source", sa.String(length=30), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        _utc("as_of"),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("event_id", sa.Uuid(), nullable=False),
        sa.Column("event_type", sa.String(length=60), nullable=False),
        _utc("received_at"),
        sa.PrimaryKeyConstraint("org_ods", "name", "source"),
        schema=SCHEMA,
    )
    _opel_state()
    _opel_history()
    _opel_declaration()
    _opel_action()


def _opel_state() -> None:
    op.create_table(
        "opel_state",
        sa.Column("about", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("system_code", sa.String(length=40), nullable=False),
        sa.Column("pillar", sa.String(length=20), nullable=True),
        _utc("computed_at", nullable=True),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("raw_level", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("normalised", sa.Float(), nullable=True),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("explanation", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("damping", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        sa.Column("declared_level", sa.Integer(), nullable=True),
        _utc("declared_at", nullable=True),
        sa.Column("declaration_id", sa.Uuid(), nullable=True),
        sa.Column("divergence", postgresql.JSONB(astext_type=sa.Text()), nullable=True),
        _utc("due_at", nullable=True),
        sa.Column("calculations", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("about", "code"),
        schema=SCHEMA,
    )
    op.create_index(
        op.f("ix_escalation_opel_state_system_code"),
        "opel_state",
        ["system_code"],
        unique=False,
        schema=SCHEMA,
    )


def _opel_history() -> None:
    op.create_table(
        "opel_history",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("about", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("system_code", sa.String(length=40), nullable=False),
        _utc("computed_at"),
        sa.Column("level", sa.Integer(), nullable=True),
        sa.Column("raw_level", sa.Integer(), nullable=True),
        sa.Column("score", sa.Float(), nullable=True),
        sa.Column("normalised", sa.Float(), nullable=True),
        sa.Column("partial", sa.Boolean(), nullable=False),
        sa.Column("framework", sa.String(length=80), nullable=False),
        sa.Column("explanation", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_opel_history_subject_time",
        "opel_history",
        ["about", "code", "computed_at"],
        unique=False,
        schema=SCHEMA,
    )


def _opel_declaration() -> None:
    op.create_table(
        "opel_declaration",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("about", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("system_code", sa.String(length=40), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("previous_level", sa.Integer(), nullable=True),
        sa.Column("calculated_level", sa.Integer(), nullable=True),
        sa.Column("reason", sa.Text(), nullable=False),
        sa.Column("declared_by", sa.String(length=64), nullable=False),
        sa.Column("declared_role", sa.String(length=20), nullable=False),
        _utc("declared_at"),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_opel_declaration_subject_time",
        "opel_declaration",
        ["about", "code", "declared_at"],
        unique=False,
        schema=SCHEMA,
    )


def _opel_action() -> None:
    op.create_table(
        "opel_action",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("declaration_id", sa.Uuid(), nullable=False),
        sa.Column("about", sa.String(length=12), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("system_code", sa.String(length=40), nullable=False),
        sa.Column("kind", sa.String(length=20), nullable=False),
        sa.Column("level", sa.Integer(), nullable=False),
        sa.Column("card_id", sa.String(length=60), nullable=False),
        sa.Column("title", sa.String(length=200), nullable=False),
        sa.Column("owner_role", sa.String(length=40), nullable=True),
        sa.Column("owner_organisation", sa.String(length=20), nullable=True),
        sa.Column("owner_kind", sa.String(length=30), nullable=True),
        sa.Column("status", sa.String(length=12), nullable=False),
        _utc("issued_at"),
        _utc("due_at"),
        sa.Column("overdue_raised", sa.Boolean(), nullable=False),
        _utc("escalated_at", nullable=True),
        _utc("acknowledged_at", nullable=True),
        sa.Column("acknowledged_by", sa.String(length=64), nullable=True),
        _utc("completed_at", nullable=True),
        sa.Column("completed_by", sa.String(length=64), nullable=True),
        sa.Column("note", sa.Text(), nullable=True),
        _utc("superseded_at", nullable=True),
        sa.Column("superseded_by", sa.Uuid(), nullable=True),
        sa.ForeignKeyConstraint(["declaration_id"], ["escalation.opel_declaration.id"]),
        sa.PrimaryKeyConstraint("id"),
        schema=SCHEMA,
    )
    op.create_index(
        "ix_opel_action_subject_status",
        "opel_action",
        ["about", "code", "status"],
        unique=False,
        schema=SCHEMA,
    )
    op.create_index(
        "ix_opel_action_due",
        "opel_action",
        ["due_at"],
        unique=False,
        schema=SCHEMA,
        postgresql_where=sa.text("status = 'issued'"),
    )
    op.create_index(
        op.f("ix_escalation_opel_action_system_code"),
        "opel_action",
        ["system_code"],
        unique=False,
        schema=SCHEMA,
    )


def downgrade() -> None:
    op.drop_table("opel_action", schema=SCHEMA)
    op.drop_table("opel_declaration", schema=SCHEMA)
    op.drop_table("opel_history", schema=SCHEMA)
    op.drop_table("opel_state", schema=SCHEMA)
    op.drop_table("input_fact", schema=SCHEMA)
    op.drop_column("unit_beds", "event_id", schema=SCHEMA)
    op.drop_column("unit_beds", "escalation_open", schema=SCHEMA)
