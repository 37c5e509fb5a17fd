"""KPI import speed: claims lose their index on the month alone (the pages read months from the
spend summary) and trajectories the one on the product group (a handful of codes select too much
of the table for it to help); every imported row paid for them.

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
    with op.batch_alter_table('trajectories') as batch_op:
        batch_op.drop_index('ix_trajectories_product_group')


def downgrade() -> None:
    with op.batch_alter_table('trajectories') as batch_op:
        batch_op.create_index('ix_trajectories_product_group', ['product_group'], unique=False)
    with op.batch_alter_table('claims') as batch_op:
        batch_op.create_index('ix_claims_period', ['period'], unique=False)
