"""flow: summaries (every build, as versions) and their daily figures; kernel: the
care system's summary time

Revision ID: 0005_summaries
Revises: 0004_patients
Create Date: 2026-12-03 09:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0005_summaries"
down_revision: str | None = "0004_patients"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.add_column(
        "care_system",
        sa.Column("summary_time", sa.Time(), server_default="08:30", nullable=False),
        schema="kernel",
    )
    op.create_table(
        "summary",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("system_code", sa.String(length=40), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("built_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("trigger", sa.String(length=20), nullable=False),
        sa.Column("built_by", sa.String(), nullable=False),
        sa.Column("stale_sources", sa.Integer(), nullable=False),
        sa.Column("document", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.ForeignKeyConstraint(["system_code"], ["kernel.care_system.code"]),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("system_code", "day", "version"),
        schema="flow",
    )
    op.create_index("ix_summary_day", "summary", ["day"], unique=False, schema="flow")
    op.create_index(
        "ux_summary_scheduled",
        "summary",
        ["system_code", "day"],
        unique=True,
        schema="flow",
        postgresql_where=sa.text("trigger = 'scheduled'"),
    )
    op.create_table(
        "summary_figure",
        sa.Column("system_code", sa.String(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("subject", sa.String(length=40), nullable=False),
        sa.Column("metric", sa.String(length=60), nullable=False),
        sa.Column("value", sa.Float(), nullable=False),
        sa.Column("unit", sa.String(length=20), nullable=False),
        sa.Column("source", sa.String(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("stale", sa.Boolean(), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(["system_code"], ["kernel.care_system.code"]),
        sa.PrimaryKeyConstraint("system_code", "day", "subject", "metric"),
        schema="flow",
    )


def downgrade() -> None:
    op.drop_table("summary_figure", schema="flow")
    op.drop_index("ux_summary_scheduled", table_name="summary", schema="flow")
    op.drop_index("ix_summary_day", table_name="summary", schema="flow")
    op.drop_table("summary", schema="flow")
    op.drop_column("care_system", "summary_time", schema="kernel")
