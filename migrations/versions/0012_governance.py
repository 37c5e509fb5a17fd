"""Governance and WNT: annual governance declarations (principles, supervision, group structure,
related parties, finances, WNT statements), the dated WNT maxima seeded from the published
figures, round profit caps, and the regions' reviews of declarations.

Revision ID: 0012
Revises: 0011
"""

from alembic import op
import sqlalchemy as sa


revision = '0012'
down_revision = '0011'
branch_labels = None
depends_on = None

#: The published maxima (euros, full year, full time) at the time of writing; later years are
#: added by a region administrator or `flask wnt add-year`. 2025 has only the general maximum.
SOURCE = "Regeling bezoldigingsmaxima topfunctionarissen zorg en jeugdhulp (Staatscourant), per DOMAIN.md"
MAXIMA = {
    2023: {"I": 124000, "II": 151000, "III": 182000, "IV": 205000, "V": 223000},
    2024: {"I": 130000, "II": 158000, "III": 190000, "IV": 214000, "V": 233000},
    2025: {"V": 246000},
}


def upgrade() -> None:
    op.create_table('wnt_maxima',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('wnt_class', sa.Enum('I', 'II', 'III', 'IV', 'V', name='wnt_class', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('source', sa.String(length=300), nullable=False),
    sa.Column('added_by', sa.String(length=300), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('amount > 0', name=op.f('ck_wnt_maxima_amount_positive')),
    sa.CheckConstraint('year BETWEEN 2013 AND 2100', name=op.f('ck_wnt_maxima_year_range')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wnt_maxima')),
    sa.UniqueConstraint('year', 'wnt_class', name=op.f('uq_wnt_maxima_year_wnt_class'))
    )
    op.create_table('governance_declarations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('financial_year', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('management_supervision_separated', sa.Boolean(), nullable=True),
    sa.Column('separation_note', sa.Text(), nullable=False),
    sa.Column('has_client_council', sa.Boolean(), nullable=True),
    sa.Column('client_council_note', sa.Text(), nullable=False),
    sa.Column('revenue', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('result', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('profit_distributed', sa.Numeric(precision=14, scale=2), nullable=True),
    sa.Column('points_knowledge', sa.Integer(), nullable=True),
    sa.Column('points_tasks', sa.Integer(), nullable=True),
    sa.Column('points_funding', sa.Integer(), nullable=True),
    sa.Column('points_turnover', sa.Integer(), nullable=True),
    sa.Column('wnt_class', sa.Enum('I', 'II', 'III', 'IV', 'V', name='wnt_class', native_enum=False, create_constraint=True), nullable=True),
    sa.Column('class_reasoning', sa.Text(), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("(status = 'draft') = (submitted_at IS NULL)", name=op.f('ck_governance_declarations_submitted_at_with_status')),
    sa.CheckConstraint('financial_year BETWEEN 2013 AND 2100', name=op.f('ck_governance_declarations_financial_year_range')),
    sa.CheckConstraint('profit_distributed IS NULL OR profit_distributed >= 0', name=op.f('ck_governance_declarations_distribution_not_negative')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_governance_declarations_provider_id_providers')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_governance_declarations_submitted_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_declarations')),
    sa.UniqueConstraint('provider_id', 'financial_year', name=op.f('uq_governance_declarations_provider_id_financial_year'))
    )
    op.create_index(op.f('ix_governance_declarations_provider_id'), 'governance_declarations', ['provider_id'], unique=False)
    op.create_table('governance_principles',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('applied', sa.Boolean(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.CheckConstraint('number BETWEEN 1 AND 7', name=op.f('ck_governance_principles_number_range')),
    sa.ForeignKeyConstraint(['declaration_id'], ['governance_declarations.id'], name=op.f('fk_governance_principles_declaration_id_governance_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_principles')),
    sa.UniqueConstraint('declaration_id', 'number', name=op.f('uq_governance_principles_declaration_id_number'))
    )
    op.create_index(op.f('ix_governance_principles_declaration_id'), 'governance_principles', ['declaration_id'], unique=False)
    op.create_table('governance_reviews',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('verdict', sa.Enum('open', 'in_order', 'questions', 'not_in_order', name='verdict', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['declaration_id'], ['governance_declarations.id'], name=op.f('fk_governance_reviews_declaration_id_governance_declarations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_governance_reviews_region_id_regions')),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_governance_reviews_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_reviews')),
    sa.UniqueConstraint('region_id', 'declaration_id', name=op.f('uq_governance_reviews_region_id_declaration_id'))
    )
    op.create_index(op.f('ix_governance_reviews_declaration_id'), 'governance_reviews', ['declaration_id'], unique=False)
    op.create_index(op.f('ix_governance_reviews_region_id'), 'governance_reviews', ['region_id'], unique=False)
    op.create_table('group_entities',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('parent', 'subsidiary', 'sister', 'ubo', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('kvk_number', sa.String(length=8), nullable=True),
    sa.Column('ownership_percent', sa.Numeric(precision=5, scale=2), nullable=False),
    sa.CheckConstraint('kvk_number IS NULL OR length(kvk_number) = 8', name=op.f('ck_group_entities_kvk_number_length')),
    sa.CheckConstraint('ownership_percent >= 0 AND ownership_percent <= 100', name=op.f('ck_group_entities_ownership_range')),
    sa.ForeignKeyConstraint(['declaration_id'], ['governance_declarations.id'], name=op.f('fk_group_entities_declaration_id_governance_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_group_entities'))
    )
    op.create_index(op.f('ix_group_entities_declaration_id'), 'group_entities', ['declaration_id'], unique=False)
    op.create_table('related_party_transactions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('counterparty', sa.String(length=200), nullable=False),
    sa.Column('kind', sa.Enum('real_estate', 'management_fee', 'services', 'loan', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('arms_length', sa.Text(), nullable=False),
    sa.CheckConstraint('amount >= 0', name=op.f('ck_related_party_transactions_amount_not_negative')),
    sa.ForeignKeyConstraint(['declaration_id'], ['governance_declarations.id'], name=op.f('fk_related_party_transactions_declaration_id_governance_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_related_party_transactions'))
    )
    op.create_index(op.f('ix_related_party_transactions_declaration_id'), 'related_party_transactions', ['declaration_id'], unique=False)
    op.create_table('round_profit_caps',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('round_id', sa.Integer(), nullable=False),
    sa.Column('max_margin_percent', sa.Numeric(precision=5, scale=2), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('max_margin_percent IS NULL OR (max_margin_percent >= 0 AND max_margin_percent <= 100)', name=op.f('ck_round_profit_caps_max_margin_range')),
    sa.ForeignKeyConstraint(['round_id'], ['rounds.id'], name=op.f('fk_round_profit_caps_round_id_rounds'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_round_profit_caps')),
    sa.UniqueConstraint('round_id', name=op.f('uq_round_profit_caps_round_id'))
    )
    op.create_table('supervisory_members',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('role', sa.Enum('chair', 'member', name='role', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('term_end', sa.Date(), nullable=False),
    sa.Column('reappointments', sa.Integer(), nullable=False),
    sa.CheckConstraint('reappointments >= 0', name=op.f('ck_supervisory_members_reappointments_not_negative')),
    sa.CheckConstraint('term_end > start_date', name=op.f('ck_supervisory_members_term_end_after_start')),
    sa.ForeignKeyConstraint(['declaration_id'], ['governance_declarations.id'], name=op.f('fk_supervisory_members_declaration_id_governance_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_supervisory_members'))
    )
    op.create_index(op.f('ix_supervisory_members_declaration_id'), 'supervisory_members', ['declaration_id'], unique=False)
    op.create_table('wnt_statements',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('declaration_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('function', sa.Enum('executive', 'supervisory_chair', 'supervisory_member', name='function', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('start_date', sa.Date(), nullable=False),
    sa.Column('end_date', sa.Date(), nullable=False),
    sa.Column('part_time_factor', sa.Numeric(precision=6, scale=4), nullable=False),
    sa.Column('employed', sa.Boolean(), nullable=False),
    sa.Column('pay', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('deferred_pay', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.Column('being_recovered', sa.Boolean(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.CheckConstraint('end_date >= start_date', name=op.f('ck_wnt_statements_end_not_before_start')),
    sa.CheckConstraint('part_time_factor > 0', name=op.f('ck_wnt_statements_part_time_positive')),
    sa.CheckConstraint('pay >= 0 AND deferred_pay >= 0', name=op.f('ck_wnt_statements_pay_not_negative')),
    sa.ForeignKeyConstraint(['declaration_id'], ['governance_declarations.id'], name=op.f('fk_wnt_statements_declaration_id_governance_declarations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_wnt_statements'))
    )
    op.create_index(op.f('ix_wnt_statements_declaration_id'), 'wnt_statements', ['declaration_id'], unique=False)
    op.create_table('governance_notes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('review_id', sa.Integer(), nullable=False),
    sa.Column('by_provider', sa.Boolean(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['users.id'], name=op.f('fk_governance_notes_author_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['review_id'], ['governance_reviews.id'], name=op.f('fk_governance_notes_review_id_governance_reviews'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_governance_notes'))
    )
    op.create_index(op.f('ix_governance_notes_review_id'), 'governance_notes', ['review_id'], unique=False)
    op.create_table('governance_principle_documents',
    sa.Column('principle_id', sa.Integer(), nullable=False),
    sa.Column('document_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['document_id'], ['evidence_documents.id'], name=op.f('fk_governance_principle_documents_document_id_evidence_documents')),
    sa.ForeignKeyConstraint(['principle_id'], ['governance_principles.id'], name=op.f('fk_governance_principle_documents_principle_id_governance_principles'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('principle_id', 'document_id', name=op.f('pk_governance_principle_documents'))
    )
    op.create_table('profit_cap_groups',
    sa.Column('cap_id', sa.Integer(), nullable=False),
    sa.Column('product_group_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['cap_id'], ['round_profit_caps.id'], name=op.f('fk_profit_cap_groups_cap_id_round_profit_caps'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['product_group_id'], ['product_groups.id'], name=op.f('fk_profit_cap_groups_product_group_id_product_groups'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('cap_id', 'product_group_id', name=op.f('pk_profit_cap_groups'))
    )
    maxima = sa.table('wnt_maxima', sa.column('year', sa.Integer), sa.column('wnt_class', sa.String),
                      sa.column('amount', sa.Numeric(14, 2)), sa.column('source', sa.String), sa.column('added_by', sa.String))
    op.bulk_insert(maxima, [
        {'year': year, 'wnt_class': wnt_class, 'amount': amount, 'source': SOURCE, 'added_by': ''}
        for year, row in MAXIMA.items() for wnt_class, amount in row.items()
    ])


def downgrade() -> None:
    op.drop_table('profit_cap_groups')
    op.drop_table('governance_principle_documents')
    op.drop_index(op.f('ix_governance_notes_review_id'), table_name='governance_notes')
    op.drop_table('governance_notes')
    op.drop_index(op.f('ix_wnt_statements_declaration_id'), table_name='wnt_statements')
    op.drop_table('wnt_statements')
    op.drop_index(op.f('ix_supervisory_members_declaration_id'), table_name='supervisory_members')
    op.drop_table('supervisory_members')
    op.drop_table('round_profit_caps')
    op.drop_index(op.f('ix_related_party_transactions_declaration_id'), table_name='related_party_transactions')
    op.drop_table('related_party_transactions')
    op.drop_index(op.f('ix_group_entities_declaration_id'), table_name='group_entities')
    op.drop_table('group_entities')
    op.drop_index(op.f('ix_governance_reviews_region_id'), table_name='governance_reviews')
    op.drop_index(op.f('ix_governance_reviews_declaration_id'), table_name='governance_reviews')
    op.drop_table('governance_reviews')
    op.drop_index(op.f('ix_governance_principles_declaration_id'), table_name='governance_principles')
    op.drop_table('governance_principles')
    op.drop_index(op.f('ix_governance_declarations_provider_id'), table_name='governance_declarations')
    op.drop_table('governance_declarations')
    op.drop_table('wnt_maxima')
    # ### end Alembic commands ###