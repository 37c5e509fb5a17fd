"""KPI settings per region: whether the public scoreboard is on, and the growth threshold.

Revision ID: 0008
Revises: 0007
"""

from alembic import op
import sqlalchemy as sa


revision = '0008'
down_revision = '0007'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kpi_settings',
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('scoreboard_public', sa.Boolean(), nullable=False),
    sa.Column('growth_threshold', sa.SmallInteger(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('growth_threshold BETWEEN 1 AND 1000', name=op.f('ck_kpi_settings_growth_threshold_range')),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_kpi_settings_region_id_regions'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('region_id', name=op.f('pk_kpi_settings'))
    )


def downgrade() -> None:
    op.drop_table('kpi_settings')
