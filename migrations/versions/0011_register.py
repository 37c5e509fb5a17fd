"""The admission register: admissions per provider, product group and municipality, and their
history of status changes.

Revision ID: 0011
Revises: 0010
"""

from alembic import op
import sqlalchemy as sa


revision = '0011'
down_revision = '0010'
branch_labels = None
depends_on = None

STATUSES = ('active', 'suspended', 'ended')


def upgrade() -> None:
    op.create_table('admissions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('product_group_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('application_scope_id', sa.Integer(), nullable=False),
    sa.Column('admitted_on', sa.Date(), nullable=False),
    sa.Column('status', sa.Enum(*STATUSES, name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['application_scope_id'], ['application_scopes.id'], name=op.f('fk_admissions_application_scope_id_application_scopes')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_admissions_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['product_group_id'], ['product_groups.id'], name=op.f('fk_admissions_product_group_id_product_groups')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_admissions_provider_id_providers')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_admissions_round_id_rounds')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admissions')),
    sa.UniqueConstraint('application_scope_id', name=op.f('uq_admissions_application_scope_id'))
    )
    with op.batch_alter_table('admissions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admissions_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admissions_product_group_id'), ['product_group_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admissions_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admissions_round_id'), ['round_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_admissions_status'), ['status'], unique=False)

    op.create_table('admission_changes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('admission_id', sa.Integer(), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('from_status', sa.Enum(*STATUSES, name='from_status', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('to_status', sa.Enum(*STATUSES, name='to_status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['admission_id'], ['admissions.id'], name=op.f('fk_admission_changes_admission_id_admissions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_admission_changes_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_admission_changes'))
    )
    with op.batch_alter_table('admission_changes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_admission_changes_admission_id'), ['admission_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('admission_changes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admission_changes_admission_id'))
    op.drop_table('admission_changes')
    with op.batch_alter_table('admissions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_admissions_status'))
        batch_op.drop_index(batch_op.f('ix_admissions_round_id'))
        batch_op.drop_index(batch_op.f('ix_admissions_provider_id'))
        batch_op.drop_index(batch_op.f('ix_admissions_product_group_id'))
        batch_op.drop_index(batch_op.f('ix_admissions_municipality_id'))
    op.drop_table('admissions')
