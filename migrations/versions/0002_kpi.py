"""KPIs: care trajectories, monthly claims and the log of care-data imports.

Revision ID: 0002
Revises: 0001
Created: 2026-11-22
"""

from alembic import op
import sqlalchemy as sa


revision = "0002"
down_revision = "0001"
branch_labels = None
depends_on = None

END_REASONS = ("02", "20", "31", "32", "33", "34", "35", "36", "37", "38", "39")


def upgrade() -> None:
    op.create_table(
        "kpi_imports",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("started_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("finished_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("imported_by_id", sa.Integer(), nullable=True),
        sa.Column("imported_by_label", sa.String(length=300), nullable=False),
        sa.Column("trajectories_file", sa.String(length=255), nullable=False),
        sa.Column("claims_file", sa.String(length=255), nullable=False),
        sa.Column(
            "status",
            sa.Enum("running", "succeeded", "failed", name="status", native_enum=False, create_constraint=True),
            nullable=False,
        ),
        sa.Column("error", sa.Text(), nullable=True),
        sa.Column("trajectories_imported", sa.Integer(), nullable=False),
        sa.Column("trajectories_updated", sa.Integer(), nullable=False),
        sa.Column("trajectories_unchanged", sa.Integer(), nullable=False),
        sa.Column("trajectories_rejected", sa.Integer(), nullable=False),
        sa.Column("claims_imported", sa.Integer(), nullable=False),
        sa.Column("claims_updated", sa.Integer(), nullable=False),
        sa.Column("claims_unchanged", sa.Integer(), nullable=False),
        sa.Column("claims_rejected", sa.Integer(), nullable=False),
        sa.ForeignKeyConstraint(
            ["imported_by_id"], ["users.id"], name=op.f("fk_kpi_imports_imported_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_kpi_imports")),
    )
    with op.batch_alter_table("kpi_imports", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_kpi_imports_imported_by_id"), ["imported_by_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_kpi_imports_started_at"), ["started_at"], unique=False)

    op.create_table(
        "trajectories",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trajectory_ref", sa.String(length=50), nullable=False),
        sa.Column("client_ref", sa.String(length=50), nullable=False),
        sa.Column("municipality_id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("product_group", sa.String(length=10), nullable=False),
        sa.Column("product_code", sa.String(length=20), nullable=False),
        sa.Column("referrer", sa.String(length=30), nullable=False),
        sa.Column("request_date", sa.Date(), nullable=False),
        sa.Column("start_date", sa.Date(), nullable=False),
        sa.Column("end_date", sa.Date(), nullable=True),
        sa.Column("end_reason", sa.String(length=2), nullable=True),
        sa.Column("satisfaction", sa.SmallInteger(), nullable=True),
        sa.Column("goals_met", sa.Boolean(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("start_date >= request_date", name=op.f("ck_trajectories_starts_after_request")),
        sa.CheckConstraint("end_date IS NULL OR end_date >= start_date", name=op.f("ck_trajectories_ends_after_start")),
        sa.CheckConstraint("(end_date IS NULL) = (end_reason IS NULL)", name=op.f("ck_trajectories_end_has_reason")),
        sa.CheckConstraint(
            "end_reason IS NULL OR end_reason IN (" + ", ".join(f"'{code}'" for code in END_REASONS) + ")",
            name=op.f("ck_trajectories_end_reason_jz588"),
        ),
        sa.CheckConstraint(
            "satisfaction IS NULL OR satisfaction BETWEEN 1 AND 10", name=op.f("ck_trajectories_satisfaction_range")
        ),
        sa.ForeignKeyConstraint(
            ["municipality_id"], ["municipalities.id"], name=op.f("fk_trajectories_municipality_id_municipalities")
        ),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"], name=op.f("fk_trajectories_provider_id_providers")),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_trajectories")),
        sa.UniqueConstraint("trajectory_ref", name=op.f("uq_trajectories_trajectory_ref")),
    )
    with op.batch_alter_table("trajectories", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_trajectories_end_date"), ["end_date"], unique=False)
        batch_op.create_index(batch_op.f("ix_trajectories_municipality_id"), ["municipality_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trajectories_product_group"), ["product_group"], unique=False)
        batch_op.create_index(batch_op.f("ix_trajectories_provider_id"), ["provider_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_trajectories_start_date"), ["start_date"], unique=False)

    op.create_table(
        "claims",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("trajectory_id", sa.Integer(), nullable=False),
        sa.Column("period", sa.Date(), nullable=False),
        sa.Column("amount_granted", sa.Numeric(precision=12, scale=2), nullable=False),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.Column("updated_at", sa.DateTime(timezone=True), server_default=sa.text("(CURRENT_TIMESTAMP)"), nullable=False),
        sa.CheckConstraint("amount_granted >= 0", name=op.f("ck_claims_amount_not_negative")),
        sa.ForeignKeyConstraint(
            ["trajectory_id"], ["trajectories.id"], name=op.f("fk_claims_trajectory_id_trajectories"), ondelete="CASCADE"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_claims")),
        sa.UniqueConstraint("trajectory_id", "period", name=op.f("uq_claims_trajectory_id_period")),
    )
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.create_index(batch_op.f("ix_claims_period"), ["period"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("claims", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_claims_period"))

    op.drop_table("claims")
    with op.batch_alter_table("trajectories", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_trajectories_start_date"))
        batch_op.drop_index(batch_op.f("ix_trajectories_provider_id"))
        batch_op.drop_index(batch_op.f("ix_trajectories_product_group"))
        batch_op.drop_index(batch_op.f("ix_trajectories_municipality_id"))
        batch_op.drop_index(batch_op.f("ix_trajectories_end_date"))

    op.drop_table("trajectories")
    with op.batch_alter_table("kpi_imports", schema=None) as batch_op:
        batch_op.drop_index(batch_op.f("ix_kpi_imports_started_at"))
        batch_op.drop_index(batch_op.f("ix_kpi_imports_imported_by_id"))

    op.drop_table("kpi_imports")
