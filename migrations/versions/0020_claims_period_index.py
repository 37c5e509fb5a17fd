"""KPI import speed: claims lose their index on the month alone; the pages read months from the
spend summary, and every imported claim paid for the index.

Revision ID: 0020
Revises: 0019
"""

from alembic import op


revision = '0020'
down_revision = '0019'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('claims') as batch_op:
        batch_op.drop_index('ix_claims_period')


def downgrade() -> None:
    with op.batch_alter_table('claims') as batch_op:
        batch_op.create_index('ix_claims_period', ['period'], unique=False)
