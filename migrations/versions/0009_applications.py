"""Provider applications (aanmeldingen) to Open House rounds: scopes, self-declaration,
subcontractors, the evidence versions used, and the timeline.

Revision ID: 0009
Revises: 0008
"""

from alembic import op
import sqlalchemy as sa


revision = '0009'
down_revision = '0008'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('applications',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'in_review', 'completion_requested', 'decided', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(status = 'draft') = (submitted_at IS NULL)", name=op.f('ck_applications_submitted_at_with_status')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_applications_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_applications_provider_id_providers')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_applications_round_id_rounds')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_applications_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_applications')),
    sa.UniqueConstraint('round_id', 'provider_id', name=op.f('uq_applications_round_id_provider_id'))
    )
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_applications_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_applications_round_id'), ['round_id'], unique=False)

    op.create_table('application_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('statement', sa.String(length=40), nullable=False),
    sa.Column('applies', sa.Boolean(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_declarations_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_declarations')),
    sa.UniqueConstraint('application_id', 'statement', name=op.f('uq_application_declarations_application_id_statement'))
    )
    with op.batch_alter_table('application_declarations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_declarations_application_id'), ['application_id'], unique=False)

    op.create_table('application_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'in_review', 'completion_requested', 'decided', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('note', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_events_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_application_events_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_events'))
    )
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_events_application_id'), ['application_id'], unique=False)

    op.create_table('application_evidence',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_evidence_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['document_id'], ['evidence_documents.id'], name=op.f('fk_application_evidence_document_id_evidence_documents')),
    sa.ForeignKeyConstraint(['requirement_id'], ['evidence_requirements.id'], name=op.f('fk_application_evidence_requirement_id_evidence_requirements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_evidence')),
    sa.UniqueConstraint('application_id', 'requirement_id', name=op.f('uq_application_evidence_application_id_requirement_id'))
    )
    with op.batch_alter_table('application_evidence', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_evidence_application_id'), ['application_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_application_evidence_document_id'), ['document_id'], unique=False)

    op.create_table('application_scopes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('product_group_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_scopes_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_application_scopes_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['product_group_id'], ['product_groups.id'], name=op.f('fk_application_scopes_product_group_id_product_groups')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_scopes')),
    sa.UniqueConstraint('application_id', 'product_group_id', 'municipality_id', name=op.f('uq_application_scopes_application_id_product_group_id_municipality_id'))
    )
    with op.batch_alter_table('application_scopes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_scopes_application_id'), ['application_id'], unique=False)

    op.create_table('application_subcontractors',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kvk_number', sa.String(length=8), nullable=False),
    sa.Column('role', sa.Enum('subcontractor', 'combination_partner', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('share_percent', sa.Integer(), nullable=False),
    sa.CheckConstraint('length(kvk_number) = 8', name=op.f('ck_application_subcontractors_kvk_number_8_digits')),
    sa.CheckConstraint('share_percent BETWEEN 1 AND 100', name=op.f('ck_application_subcontractors_share_percent_range')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_application_subcontractors_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_application_subcontractors')),
    sa.UniqueConstraint('application_id', 'kvk_number', name=op.f('uq_application_subcontractors_application_id_kvk_number'))
    )
    with op.batch_alter_table('application_subcontractors', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_application_subcontractors_application_id'), ['application_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('application_subcontractors', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_subcontractors_application_id'))

    op.drop_table('application_subcontractors')
    with op.batch_alter_table('application_scopes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_scopes_application_id'))

    op.drop_table('application_scopes')
    with op.batch_alter_table('application_evidence', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_evidence_document_id'))
        batch_op.drop_index(batch_op.f('ix_application_evidence_application_id'))

    op.drop_table('application_evidence')
    with op.batch_alter_table('application_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_events_application_id'))

    op.drop_table('application_events')
    with op.batch_alter_table('application_declarations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_application_declarations_application_id'))

    op.drop_table('application_declarations')
    with op.batch_alter_table('applications', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_applications_round_id'))
        batch_op.drop_index(batch_op.f('ix_applications_provider_id'))

    op.drop_table('applications')
