"""KPI speed: a monthly spend summary per provider, municipality and product group, filled from the claims.

The KPI pages read spend from this summary instead of joining every claim of a period to its
trajectory (with 6,000,000 claims that join took seconds per statement). The importer rebuilds
it after every import; this migration fills it from the claims already stored.

Revision ID: 0014
Revises: 0013
"""

from alembic import op
import sqlalchemy as sa


revision = '0014'
down_revision = '0013'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('kpi_spend_months',
    sa.Column('period', sa.Date(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.Column('provider_id', sa.Integer(), nullable=False),
    sa.Column('product_group', sa.String(length=10), nullable=False),
    sa.Column('amount', sa.Numeric(precision=14, scale=2), nullable=False),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_kpi_spend_months_municipality_id_municipalities'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_kpi_spend_months_provider_id_providers'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('period', 'municipality_id', 'provider_id', 'product_group', name=op.f('pk_kpi_spend_months'))
    )
    op.execute(
        "INSERT INTO kpi_spend_months (period, municipality_id, provider_id, product_group, amount) "
        "SELECT c.period, t.municipality_id, t.provider_id, t.product_group, SUM(c.amount_granted) "
        "FROM claims c JOIN trajectories t ON t.id = c.trajectory_id "
        "GROUP BY c.period, t.municipality_id, t.provider_id, t.product_group"
    )


def downgrade() -> None:
    op.drop_table('kpi_spend_months')
