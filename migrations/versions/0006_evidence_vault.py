"""Evidence vault: providers' documents as numbered versions, and the reminders sent about them.

Revision ID: 0006
Revises: 0005
"""

import sqlalchemy as sa
from alembic import op

revision = "0006"
down_revision = "0005"
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        "evidence_documents",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("provider_id", sa.Integer(), nullable=False),
        sa.Column("evidence_type_id", sa.Integer(), nullable=False),
        sa.Column("stored_file_id", sa.Integer(), nullable=False),
        sa.Column("line_year", sa.Integer(), nullable=False),
        sa.Column("version", sa.Integer(), nullable=False),
        sa.Column("supersedes_id", sa.Integer(), nullable=True),
        sa.Column("issue_date", sa.Date(), nullable=True),
        sa.Column("expiry_date", sa.Date(), nullable=True),
        sa.Column("issuer", sa.String(length=200), nullable=False),
        sa.Column("financial_year", sa.Integer(), nullable=True),
        sa.Column("uploaded_by_id", sa.Integer(), nullable=True),
        sa.Column("created_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.Column("withdrawn_at", sa.DateTime(timezone=True), nullable=True),
        sa.Column("withdrawn_by_id", sa.Integer(), nullable=True),
        sa.CheckConstraint("version >= 1", name=op.f("ck_evidence_documents_version_positive")),
        sa.CheckConstraint(
            "(version = 1) = (supersedes_id IS NULL)",
            name=op.f("ck_evidence_documents_first_version_supersedes_nothing"),
        ),
        sa.CheckConstraint(
            "line_year = COALESCE(financial_year, 0)", name=op.f("ck_evidence_documents_line_year_is_financial_year")
        ),
        sa.CheckConstraint(
            "expiry_date IS NULL OR issue_date IS NULL OR expiry_date > issue_date",
            name=op.f("ck_evidence_documents_expiry_after_issue"),
        ),
        sa.ForeignKeyConstraint(["provider_id"], ["providers.id"], name=op.f("fk_evidence_documents_provider_id_providers")),
        sa.ForeignKeyConstraint(
            ["evidence_type_id"], ["evidence_types.id"], name=op.f("fk_evidence_documents_evidence_type_id_evidence_types")
        ),
        sa.ForeignKeyConstraint(
            ["stored_file_id"], ["stored_files.id"], name=op.f("fk_evidence_documents_stored_file_id_stored_files")
        ),
        sa.ForeignKeyConstraint(
            ["supersedes_id"], ["evidence_documents.id"], name=op.f("fk_evidence_documents_supersedes_id_evidence_documents")
        ),
        sa.ForeignKeyConstraint(
            ["uploaded_by_id"], ["users.id"], name=op.f("fk_evidence_documents_uploaded_by_id_users"), ondelete="SET NULL"
        ),
        sa.ForeignKeyConstraint(
            ["withdrawn_by_id"], ["users.id"], name=op.f("fk_evidence_documents_withdrawn_by_id_users"), ondelete="SET NULL"
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_documents")),
        sa.UniqueConstraint(
            "provider_id", "evidence_type_id", "line_year", "version", name=op.f("uq_evidence_documents_line_version")
        ),
        sa.UniqueConstraint("stored_file_id", name=op.f("uq_evidence_documents_stored_file_id")),
        sa.UniqueConstraint("supersedes_id", name=op.f("uq_evidence_documents_supersedes_id")),
    )
    op.create_table(
        "evidence_reminders",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("document_id", sa.Integer(), nullable=False),
        sa.Column("kind", sa.String(length=30), nullable=False),
        sa.Column("sent_at", sa.DateTime(timezone=True), server_default=sa.text("CURRENT_TIMESTAMP"), nullable=False),
        sa.ForeignKeyConstraint(
            ["document_id"], ["evidence_documents.id"], name=op.f("fk_evidence_reminders_document_id_evidence_documents"),
            ondelete="CASCADE",
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_reminders")),
        sa.UniqueConstraint("document_id", "kind", name=op.f("uq_evidence_reminders_document_id_kind")),
    )


def downgrade() -> None:
    op.drop_table("evidence_reminders")
    op.drop_table("evidence_documents")
