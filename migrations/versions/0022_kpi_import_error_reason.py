"""KPI imports: why a run failed keeps its template and values, so the page can say it in Dutch.

Revision ID: 0022
Revises: 0021
"""

import sqlalchemy as sa
from alembic import op


revision = '0022'
down_revision = '0021'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kpi_imports') as batch_op:
        batch_op.add_column(sa.Column('error_template', sa.Text(), nullable=True))
        batch_op.add_column(sa.Column('error_values', sa.JSON(), nullable=True))


def downgrade() -> None:
    with op.batch_alter_table('kpi_imports') as batch_op:
        batch_op.drop_column('error_values')
        batch_op.drop_column('error_template')
