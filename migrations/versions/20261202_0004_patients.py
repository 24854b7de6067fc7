"""flow: patient flow

Revision ID: 0004_patients
Revises: 0003
Create Date: 2026-12-02 13:58:24.689418
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op
from sqlalchemy.dialects import postgresql

revision: str = "0004_patients"
down_revision: str | None = "0003"
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table(
        "capacity_sitrep_nctr",
        sa.Column("org_ods", sa.String(length=20), nullable=False),
        sa.Column("sitrep_date", sa.Date(), nullable=False),
        sa.Column("nctr_patients", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("received_at", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org_ods", "sitrep_date"),
        schema="flow",
    )
    op.create_table(
        "care_capacity",
        sa.Column("provider", sa.String(length=20), nullable=False),
        sa.Column("service_type", sa.String(length=40), nullable=False),
        sa.Column("system_code", sa.String(length=40), nullable=False),
        sa.Column("localities", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("figures", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.PrimaryKeyConstraint("provider", "service_type"),
        schema="flow",
    )
    op.create_index(
        op.f("ix_flow_care_capacity_system_code"),
        "care_capacity",
        ["system_code"],
        unique=False,
        schema="flow",
    )
    op.create_table(
        "discharge_sitrep_state",
        sa.Column("org_ods", sa.String(length=20), nullable=False),
        sa.Column("system_code", sa.String(length=40), nullable=False),
        sa.Column("sitrep_date", sa.Date(), nullable=False),
        sa.Column("nctr_patients", sa.Integer(), nullable=False),
        sa.Column("as_of", sa.DateTime(timezone=True), nullable=False),
        sa.PrimaryKeyConstraint("org_ods"),
        schema="flow",
    )
    op.create_table(
        "inbox",
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
    op.create_table(
        "patient",
        sa.Column("id", sa.Uuid(), nullable=False),
        sa.Column("org_ods", sa.String(length=20), nullable=False),
        sa.Column("system_code", sa.String(length=40), nullable=False),
        sa.Column("unit_id", sa.String(length=60), nullable=False),
        sa.Column("local_ref", sa.String(length=64), nullable=False),
        sa.Column("nhs_number_token", sa.Text(), nullable=True),
        sa.Column("nhs_number_index", sa.String(length=64), nullable=True),
        sa.Column("admitted_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("discharge_ready_date", sa.Date(), nullable=False),
        sa.Column("expected_discharge_date", sa.Date(), nullable=True),
        sa.Column("pathway", sa.SmallInteger(), nullable=False),
        sa.Column("destination_locality", sa.String(length=60), nullable=False),
        sa.Column("delays", postgresql.JSONB(astext_type=sa.Text()), nullable=False),
        sa.Column("status", sa.String(length=12), nullable=False),
        sa.Column("discharged_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("destination", sa.String(length=40), nullable=True),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_reason", sa.String(length=40), nullable=True),
        sa.Column("closed_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("created_by", sa.String(length=80), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), nullable=False),
        sa.Column("updated_by", sa.String(length=80), nullable=False),
        sa.CheckConstraint("pathway BETWEEN 0 AND 3", name="ck_patient_pathway"),
        sa.ForeignKeyConstraint(
            ["org_ods"],
            ["kernel.organisation.ods"],
        ),
        sa.PrimaryKeyConstraint("id"),
        sa.UniqueConstraint("org_ods", "local_ref", name="uq_patient_org_local_ref"),
        schema="flow",
    )
    op.create_index(
        "ix_patient_org_status", "patient", ["org_ods", "status"], unique=False, schema="flow"
    )
    op.create_index(
        "ix_patient_system_ready",
        "patient",
        ["system_code", "discharge_ready_date"],
        unique=False,
        schema="flow",
    )
    op.create_index(
        "ux_patient_open_nhs_number",
        "patient",
        ["org_ods", "nhs_number_index"],
        unique=True,
        schema="flow",
        postgresql_where=sa.text("status = 'ready'"),
    )
    op.create_table(
        "patient_day",
        sa.Column("patient_id", sa.Uuid(), nullable=False),
        sa.Column("day", sa.Date(), nullable=False),
        sa.Column("org_ods", sa.String(length=20), nullable=False),
        sa.Column("unit_id", sa.String(length=60), nullable=False),
        sa.Column("colour", sa.String(length=5), nullable=False),
        sa.Column("reason", sa.String(length=40), nullable=True),
        sa.Column("recorded_by", sa.String(length=100), nullable=False),
        sa.Column("recorded_key", sa.String(length=80), nullable=False),
        sa.Column("recorded_at", sa.DateTime(timezone=True), nullable=False),
        sa.ForeignKeyConstraint(
            ["patient_id"],
            ["flow.patient.id"],
        ),
        sa.PrimaryKeyConstraint("patient_id", "day"),
        schema="flow",
    )
    op.create_index(
        op.f("ix_flow_patient_day_day"), "patient_day", ["day"], unique=False, schema="flow"
    )
    op.create_index(
        op.f("ix_flow_patient_day_unit_id"), "patient_day", ["unit_id"], unique=False, schema="flow"
    )


def downgrade() -> None:
    op.drop_index(op.f("ix_flow_patient_day_unit_id"), table_name="patient_day", schema="flow")
    op.drop_index(op.f("ix_flow_patient_day_day"), table_name="patient_day", schema="flow")
    op.drop_table("patient_day", schema="flow")
    op.drop_index(
        "ux_patient_open_nhs_number",
        table_name="patient",
        schema="flow",
        postgresql_where=sa.text("status = 'ready'"),
    )
    op.drop_index("ix_patient_system_ready", table_name="patient", schema="flow")
    op.drop_index("ix_patient_org_status", table_name="patient", schema="flow")
    op.drop_table("patient", schema="flow")
    op.drop_table("inbox", schema="flow")
    op.drop_table("discharge_sitrep_state", schema="flow")
    op.drop_index(
        op.f("ix_flow_care_capacity_system_code"), table_name="care_capacity", schema="flow"
    )
    op.drop_table("care_capacity", schema="flow")
    op.drop_table("capacity_sitrep_nctr", schema="flow")
