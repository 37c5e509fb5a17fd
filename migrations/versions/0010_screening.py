"""Screening of applications: verdicts per requirement, completion requests and their items,
four-eyes decisions per product group × municipality, and decision letters.

Revision ID: 0010
Revises: 0009
"""

from alembic import op
import sqlalchemy as sa


revision = '0010'
down_revision = '0009'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('screening_verdicts',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=True),
    sa.Column('accepted', sa.Boolean(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('by_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('accepted OR length(reason) > 0', name=op.f('ck_screening_verdicts_reason_when_rejected')),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_screening_verdicts_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['by_id'], ['users.id'], name=op.f('fk_screening_verdicts_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['document_id'], ['evidence_documents.id'], name=op.f('fk_screening_verdicts_document_id_evidence_documents')),
    sa.ForeignKeyConstraint(['requirement_id'], ['evidence_requirements.id'], name=op.f('fk_screening_verdicts_requirement_id_evidence_requirements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_screening_verdicts')),
    sa.UniqueConstraint('application_id', 'requirement_id', name=op.f('uq_screening_verdicts_application_id_requirement_id'))
    )
    with op.batch_alter_table('screening_verdicts', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_screening_verdicts_application_id'), ['application_id'], unique=False)

    op.create_table('completion_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('requested_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('resubmitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('resubmitted_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_completion_requests_application_id_applications'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_completion_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['resubmitted_by_id'], ['users.id'], name=op.f('fk_completion_requests_resubmitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_completion_requests'))
    )
    with op.batch_alter_table('completion_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_completion_requests_application_id'), ['application_id'], unique=False)

    op.create_table('completion_items',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('request_id', sa.Integer(), nullable=False),
    sa.Column('requirement_id', sa.Integer(), nullable=True),
    sa.Column('statement', sa.String(length=40), nullable=True),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.CheckConstraint('(requirement_id IS NULL) <> (statement IS NULL)', name=op.f('ck_completion_items_one_subject')),
    sa.ForeignKeyConstraint(['request_id'], ['completion_requests.id'], name=op.f('fk_completion_items_request_id_completion_requests'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requirement_id'], ['evidence_requirements.id'], name=op.f('fk_completion_items_requirement_id_evidence_requirements')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_completion_items')),
    sa.UniqueConstraint('request_id', 'requirement_id', name=op.f('uq_completion_items_request_id_requirement_id')),
    sa.UniqueConstraint('request_id', 'statement', name=op.f('uq_completion_items_request_id_statement'))
    )
    with op.batch_alter_table('completion_items', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_completion_items_request_id'), ['request_id'], unique=False)

    op.create_table('scope_decisions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('scope_id', sa.Integer(), nullable=False),
    sa.Column('outcome', sa.Enum('admitted', 'rejected', name='outcome', native_enum=False, create_constraint=True, length=8), nullable=False),
    sa.Column('reasons', sa.Text(), nullable=False),
    sa.Column('proposed_by_id', sa.Integer(), nullable=False),
    sa.Column('proposed_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('confirmed_by_id', sa.Integer(), nullable=True),
    sa.Column('confirmed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.CheckConstraint('confirmed_by_id IS NULL OR confirmed_by_id <> proposed_by_id', name=op.f('ck_scope_decisions_four_eyes')),
    sa.CheckConstraint('(confirmed_by_id IS NULL) = (confirmed_at IS NULL)', name=op.f('ck_scope_decisions_confirmed_at_with_confirmer')),
    sa.CheckConstraint("outcome = 'admitted' OR length(reasons) > 0", name=op.f('ck_scope_decisions_reasons_when_rejected')),
    sa.ForeignKeyConstraint(['confirmed_by_id'], ['users.id'], name=op.f('fk_scope_decisions_confirmed_by_id_users')),
    sa.ForeignKeyConstraint(['proposed_by_id'], ['users.id'], name=op.f('fk_scope_decisions_proposed_by_id_users')),
    sa.ForeignKeyConstraint(['scope_id'], ['application_scopes.id'], name=op.f('fk_scope_decisions_scope_id_application_scopes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_scope_decisions')),
    sa.UniqueConstraint('scope_id', name=op.f('uq_scope_decisions_scope_id'))
    )

    op.create_table('decision_letters',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('application_id', sa.Integer(), nullable=False),
    sa.Column('decided_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('read_at', sa.DateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['application_id'], ['applications.id'], name=op.f('fk_decision_letters_application_id_applications'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_decision_letters')),
    sa.UniqueConstraint('application_id', name=op.f('uq_decision_letters_application_id'))
    )


def downgrade() -> None:
    op.drop_table('decision_letters')
    op.drop_table('scope_decisions')
    with op.batch_alter_table('completion_items', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_completion_items_request_id'))

    op.drop_table('completion_items')
    with op.batch_alter_table('completion_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_completion_requests_application_id'))

    op.drop_table('completion_requests')
    with op.batch_alter_table('screening_verdicts', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_screening_verdicts_application_id'))

    op.drop_table('screening_verdicts')
