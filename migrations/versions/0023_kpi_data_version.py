"""KPI speed: a token that changes at every rebuild of the summaries, so computed pages can be kept per token.

Revision ID: 0023
Revises: 0022
"""

import sqlalchemy as sa
from alembic import op


revision = '0023'
down_revision = '0022'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table(
        'kpi_data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_data_version')),
    )


def downgrade() -> None:
    op.drop_table('kpi_data_version')
