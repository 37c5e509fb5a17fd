"""KPI speed: every figure a page asks for per period and scope, computed at import.

Spend, distinct clients, durations, waiting times and the counts behind the rates, per year and quarter ×
all care, region or municipality × provider (or all) × product group (or all). The importer
rebuilds it with the spend summary after every import; this migration creates it empty, and the
engine computes live for every period it does not cover until the next import.

Revision ID: 0018
Revises: 0017
"""

from alembic import op
import sqlalchemy as sa


revision = '0018'
down_revision = '0017'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kpi_scope_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('year', sa.Integer(), nullable=False),
    sa.Column('quarter', sa.SmallInteger(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=True),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('product_group', sa.String(length=10), nullable=True),
    sa.Column('clients', sa.Integer(), nullable=False),
    sa.Column('spend', sa.Numeric(precision=16, scale=2), nullable=False),
    sa.Column('ended', sa.Integer(), nullable=False),
    sa.Column('duration_median_days', sa.Float(), nullable=True),
    sa.Column('duration_mean_days', sa.Float(), nullable=True),
    sa.Column('ended_with_rate_reason', sa.Integer(), nullable=False),
    sa.Column('dropouts', sa.Integer(), nullable=False),
    sa.Column('according_to_plan', sa.Integer(), nullable=False),
    sa.Column('satisfaction_mean', sa.Float(), nullable=True),
    sa.Column('scores', sa.Integer(), nullable=False),
    sa.Column('with_outcome', sa.Integer(), nullable=False),
    sa.Column('goals_met', sa.Integer(), nullable=False),
    sa.Column('started', sa.Integer(), nullable=False),
    sa.Column('wait_median_days', sa.Float(), nullable=True),
    sa.Column('wait_p90_days', sa.Float(), nullable=True),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_kpi_scope_summary_municipality_id_municipalities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_kpi_scope_summary_provider_id_providers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_kpi_scope_summary_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_scope_summary'))
    )
    op.create_index('ix_kpi_scope_summary_scope', 'kpi_scope_summary', ['year', 'quarter', 'region_id', 'municipality_id', 'provider_id'], unique=False)


def downgrade() -> None:
    op.drop_index('ix_kpi_scope_summary_scope', table_name='kpi_scope_summary')
    op.drop_table('kpi_scope_summary')
