"""Residents get a private link to their reaction; the scheduled job records the reminders it sent.

Revision ID: 0016
Revises: 0015
"""

from alembic import op
import sqlalchemy as sa


revision = '0016'
down_revision = '0015'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('consultation_responses') as batch_op:
        batch_op.add_column(sa.Column('private_link_hash', sa.String(length=64), nullable=True))
        batch_op.create_unique_constraint(op.f('uq_consultation_responses_private_link_hash'), ['private_link_hash'])

    op.create_table('consultation_reminders',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('formal_view', 'reaction', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('mails', sa.Integer(), nullable=False),
    sa.Column('sent_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('mails >= 0', name=op.f('ck_consultation_reminders_mails_not_negative')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_consultation_reminders_body_id_bodies'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_reminders_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_reminders')),
    sa.UniqueConstraint('consultation_id', 'body_id', 'kind', name=op.f('uq_consultation_reminders_consultation_id_body_id_kind'))
    )
    with op.batch_alter_table('consultation_reminders', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_reminders_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_reminders_consultation_id'), ['consultation_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('consultation_reminders', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_reminders_consultation_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_reminders_body_id'))
    op.drop_table('consultation_reminders')
    with op.batch_alter_table('consultation_responses') as batch_op:
        batch_op.drop_constraint(op.f('uq_consultation_responses_private_link_hash'), type_='unique')
        batch_op.drop_column('private_link_hash')
