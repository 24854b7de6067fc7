"""kernel: job_run, the record of every scheduled job's runs

Revision ID: 0003
Revises: 0002
Create Date: 2026-12-02 14:00:00
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = "0003"
down_revision: str | None = "0002"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "job_run",
        sa.Column("id", sa.BigInteger(), sa.Identity(always=False), nullable=False),
        sa.Column("job", sa.String(length=60), nullable=False),
        sa.Column("runner", sa.String(length=120), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("ok", sa.Boolean(), nullable=True),
        sa.Column("result", sa.Text(), nullable=True),
        sa.PrimaryKeyConstraint("id"),
        schema="kernel",
    )
    op.create_index(
        "ix_job_run_job_started", "job_run", ["job", "started_at"], unique=False, schema="kernel"
    )


def downgrade() -> None:
    op.drop_index("ix_job_run_job_started", table_name="job_run", schema="kernel")
    op.drop_table("job_run", schema="kernel")
