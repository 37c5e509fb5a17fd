"""A resident's reaction keeps the one-time key of the form it came from, unique per consultation,
so the same form sent twice at once is kept once.

Revision ID: 0017
Revises: 0016
"""

from alembic import op
import sqlalchemy as sa


revision = '0017'
down_revision = '0016'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consultation_responses') as batch_op:
        batch_op.add_column(sa.Column('submission_key', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint('uq_consultation_responses_consultation_id_submission_key',
                                          ['consultation_id', 'submission_key'])


def downgrade() -> None:
    with op.batch_alter_table('consultation_responses') as batch_op:
        batch_op.drop_constraint('uq_consultation_responses_consultation_id_submission_key', type_='unique')
        batch_op.drop_column('submission_key')
