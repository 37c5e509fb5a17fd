"""Open House rounds: conditions, product groups, municipalities, entry windows, evidence
requirements, addenda and the questions providers ask (Nota van Inlichtingen).

Revision ID: 0007
Revises: 0006
"""

from alembic import op
import sqlalchemy as sa


revision = '0007'
down_revision = '0006'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('rounds',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('contract_term', sa.String(length=300), nullable=False),
    sa.Column('admission_document_id', sa.Integer(), nullable=True),
    sa.Column('questions_open_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('questions_close_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('status', sa.Enum('draft', 'published', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('questions_close_at IS NULL OR questions_open_at IS NULL OR questions_close_at > questions_open_at', name=op.f('ck_rounds_questions_period_order')),
    sa.ForeignKeyConstraint(['admission_document_id'], ['stored_files.id'], name=op.f('fk_rounds_admission_document_id_stored_files')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_rounds_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rounds'))
    )
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rounds_region_id'), ['region_id'], unique=False)

    op.create_table('addenda',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('reason', sa.Text(), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_addenda_published_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_addenda_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_addenda')),
    sa.UniqueConstraint('round_id', 'number', name=op.f('uq_addenda_round_id_number'))
    )
    with op.batch_alter_table('addenda', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_addenda_round_id'), ['round_id'], unique=False)

    op.create_table('entry_windows',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_entry_windows_closes_after_opening')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_entry_windows_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_entry_windows'))
    )
    with op.batch_alter_table('entry_windows', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_entry_windows_round_id'), ['round_id'], unique=False)

    op.create_table('evidence_requirements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('evidence_type_id', sa.Integer(), nullable=False),
    sa.Column('rule', sa.Enum('max_age', 'expiry_date', 'financial_year', 'none', name='rule', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('max_age_days', sa.Integer(), nullable=True),
    sa.Column('financial_year', sa.Integer(), nullable=True),
    sa.Column('legal_forms', sa.JSON(), nullable=False),
    sa.Column('note', sa.Text(), nullable=False),
    sa.CheckConstraint("(rule = 'financial_year') = (financial_year IS NOT NULL)", name=op.f('ck_evidence_requirements_year_with_rule')),
    sa.CheckConstraint("(rule = 'max_age') = (max_age_days IS NOT NULL)", name=op.f('ck_evidence_requirements_max_age_days_with_rule')),
    sa.CheckConstraint('max_age_days IS NULL OR max_age_days > 0', name=op.f('ck_evidence_requirements_max_age_days_positive')),
    sa.ForeignKeyConstraint(['evidence_type_id'], ['evidence_types.id'], name=op.f('fk_evidence_requirements_evidence_type_id_evidence_types')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_evidence_requirements_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_evidence_requirements')),
    sa.UniqueConstraint('round_id', 'evidence_type_id', 'financial_year', name=op.f('uq_evidence_requirements_round_id_evidence_type_id_financial_year'))
    )
    with op.batch_alter_table('evidence_requirements', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_evidence_requirements_evidence_type_id'), ['evidence_type_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_evidence_requirements_round_id'), ['round_id'], unique=False)

    op.create_table('product_groups',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('code', sa.String(length=20), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_product_groups_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_product_groups')),
    sa.UniqueConstraint('round_id', 'code', name=op.f('uq_product_groups_round_id_code'))
    )
    with op.batch_alter_table('product_groups', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_product_groups_round_id'), ['round_id'], unique=False)

    op.create_table('round_municipalities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_round_municipalities_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_municipalities_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_municipalities')),
    sa.UniqueConstraint('round_id', 'municipality_id', name=op.f('uq_round_municipalities_round_id_municipality_id'))
    )
    with op.batch_alter_table('round_municipalities', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_municipalities_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_municipalities_round_id'), ['round_id'], unique=False)

    op.create_table('round_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('asked_by_id', sa.Integer(), nullable=True),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('published_question', sa.Text(), nullable=True),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('answered_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['answered_by_id'], ['users.id'], name=op.f('fk_round_questions_answered_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['asked_by_id'], ['users.id'], name=op.f('fk_round_questions_asked_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_round_questions_provider_id_providers')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_questions_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_questions'))
    )
    with op.batch_alter_table('round_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_round_questions_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_round_questions_round_id'), ['round_id'], unique=False)

    op.create_table('closed_product_groups',
    sa.Column('round_municipality_id', sa.Integer(), nullable=False),
    sa.Column('product_group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_group_id'], ['product_groups.id'], name=op.f('fk_closed_product_groups_product_group_id_product_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['round_municipality_id'], ['round_municipalities.id'], name=op.f('fk_closed_product_groups_round_municipality_id_round_municipalities'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('round_municipality_id', 'product_group_id', name=op.f('pk_closed_product_groups'))
    )
    op.create_table('requirement_product_groups',
    sa.Column('requirement_id', sa.Integer(), nullable=False),
    sa.Column('product_group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['product_group_id'], ['product_groups.id'], name=op.f('fk_requirement_product_groups_product_group_id_product_groups'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requirement_id'], ['evidence_requirements.id'], name=op.f('fk_requirement_product_groups_requirement_id_evidence_requirements'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('requirement_id', 'product_group_id', name=op.f('pk_requirement_product_groups'))
    )


def downgrade() -> None:
    op.drop_table('requirement_product_groups')
    op.drop_table('closed_product_groups')
    with op.batch_alter_table('round_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_questions_round_id'))
        batch_op.drop_index(batch_op.f('ix_round_questions_provider_id'))

    op.drop_table('round_questions')
    with op.batch_alter_table('round_municipalities', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_round_municipalities_round_id'))
        batch_op.drop_index(batch_op.f('ix_round_municipalities_municipality_id'))

    op.drop_table('round_municipalities')
    with op.batch_alter_table('product_groups', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_product_groups_round_id'))

    op.drop_table('product_groups')
    with op.batch_alter_table('evidence_requirements', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_evidence_requirements_round_id'))
        batch_op.drop_index(batch_op.f('ix_evidence_requirements_evidence_type_id'))

    op.drop_table('evidence_requirements')
    with op.batch_alter_table('entry_windows', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_entry_windows_round_id'))

    op.drop_table('entry_windows')
    with op.batch_alter_table('addenda', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_addenda_round_id'))

    op.drop_table('addenda')
    with op.batch_alter_table('rounds', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rounds_region_id'))

    op.drop_table('rounds')
