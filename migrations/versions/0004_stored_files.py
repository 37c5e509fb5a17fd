"""Stored files: what was uploaded, by whom, for which organisation; the bytes live in the file store.

Revision ID: 0004
Revises: 0003
"""

import sqlalchemy as sa
from alembic import op

revision = "0004"
down_revision = "0003"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "stored_files",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("key", sa.String(length=80), nullable=False),
        sa.Column("filename", sa.String(length=160), nullable=False),
        sa.Column("content_type", sa.String(length=120), nullable=False),
        sa.Column("size", sa.BigInteger(), nullable=False),
        sa.Column("sha256", sa.String(length=64), nullable=False),
        sa.Column("organisation_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("uploaded_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(["organisation_id"], ["organisations.id"], name=op.f("fk_stored_files_organisation_id_organisations"), ondelete="SET NULL"),
        sa.ForeignKeyConstraint(["uploaded_by_id"], ["users.id"], name=op.f("fk_stored_files_uploaded_by_id_users"), ondelete="SET NULL"),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_stored_files")),
        sa.UniqueConstraint("key", name=op.f("uq_stored_files_key")),
    )
    with op.batch_alter_table("stored_files") as batch_op:
        batch_op.create_index(batch_op.f("ix_stored_files_organisation_id"), ["organisation_id"], unique=False)
        batch_op.create_index(batch_op.f("ix_stored_files_sha256"), ["sha256"], unique=False)


def downgrade() -> None:
    with op.batch_alter_table("stored_files") as batch_op:
        batch_op.drop_index(batch_op.f("ix_stored_files_sha256"))
        batch_op.drop_index(batch_op.f("ix_stored_files_organisation_id"))
    op.drop_table("stored_files")
