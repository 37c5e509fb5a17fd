"""Rounds announce the period for complaints about a decision (days after the letter).

Revision ID: 0015
Revises: 0014
"""

from alembic import op
import sqlalchemy as sa


revision = '0015'
down_revision = '0014'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('rounds') as batch_op:
        batch_op.add_column(sa.Column('complaint_period_days', sa.Integer(), server_default='42', nullable=False))


def downgrade() -> None:
    with op.batch_alter_table('rounds') as batch_op:
        batch_op.drop_column('complaint_period_days')
