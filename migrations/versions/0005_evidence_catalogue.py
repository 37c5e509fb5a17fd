"""Evidence catalogue: the kinds of documents regions ask providers for, seeded with the usual ones.

Revision ID: 0005
Revises: 0004
"""

import sqlalchemy as sa
from alembic import op

revision = "0005"
down_revision = "0004"
branch_labels = None
depends_on = None

RULES = ("max_age", "expiry_date", "financial_year", "none")


def upgrade() -> None:
    table = op.create_table(
        "evidence_types",
        sa.Column("id", sa.Integer(), nullable=False),
        sa.Column("code", sa.String(length=40), nullable=False),
        sa.Column("name", sa.String(length=200), nullable=False),
        sa.Column("name_en", sa.String(length=200), nullable=False),
        sa.Column("description", sa.Text(), nullable=False),
        sa.Column(
            "default_rule",
            sa.Enum(*RULES, name="default_rule", native_enum=False, create_constraint=True, length=14),
            nullable=False,
        ),
        sa.Column("default_max_age_days", sa.Integer(), nullable=True),
        sa.Column("wnt_related", sa.Boolean(), nullable=False),
        sa.CheckConstraint(
            "(default_rule = 'max_age') = (default_max_age_days IS NOT NULL)",
            name=op.f("ck_evidence_types_max_age_days_with_rule"),
        ),
        sa.PrimaryKeyConstraint("id", name=op.f("pk_evidence_types")),
        sa.UniqueConstraint("code", name=op.f("uq_evidence_types_code")),
    )
    # The catalogue as it stood when this revision was written; later changes get their own revision.
    from portal.models.evidence import CATALOGUE

    op.bulk_insert(
        table,
        [
            {
                "code": code, "name": name, "name_en": name_en, "description": description,
                "default_rule": rule.value, "default_max_age_days": max_age, "wnt_related": wnt,
            }
            for code, name, name_en, rule, max_age, wnt, description in CATALOGUE
        ],
    )


def downgrade() -> None:
    op.drop_table("evidence_types")
