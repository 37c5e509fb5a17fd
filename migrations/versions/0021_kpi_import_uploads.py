"""KPI imports from the web: the region an upload was for, and the rejected rows kept to read back.

Revision ID: 0021
Revises: 0020
"""

import sqlalchemy as sa
from alembic import op


revision = '0021'
down_revision = '0020'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('kpi_imports') as batch_op:
        batch_op.add_column(sa.Column('region_id', sa.Integer(), nullable=True))
        batch_op.create_index('ix_kpi_imports_region_id', ['region_id'], unique=False)
        batch_op.create_foreign_key(
            'fk_kpi_imports_region_id_regions', 'regions', ['region_id'], ['id'], ondelete='CASCADE'
        )
    op.create_table(
        'kpi_import_problems',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('import_id', sa.Integer(), nullable=False),
        sa.Column('file', sa.String(length=255), nullable=False),
        sa.Column('line', sa.Integer(), nullable=False),
        sa.Column('column_name', sa.String(length=30), nullable=True),
        sa.Column('reason', sa.Text(), nullable=False),
        sa.Column('reason_template', sa.Text(), nullable=True),
        sa.Column('reason_values', sa.JSON(), nullable=True),
        sa.ForeignKeyConstraint(['import_id'], ['kpi_imports.id'], name='fk_kpi_import_problems_import_id_kpi_imports',
                                ondelete='CASCADE'),
        sa.PrimaryKeyConstraint('id', name='pk_kpi_import_problems'),
    )
    with op.batch_alter_table('kpi_import_problems') as batch_op:
        batch_op.create_index('ix_kpi_import_problems_import_id', ['import_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('kpi_import_problems') as batch_op:
        batch_op.drop_index('ix_kpi_import_problems_import_id')
    op.drop_table('kpi_import_problems')
    with op.batch_alter_table('kpi_imports') as batch_op:
        batch_op.drop_constraint('fk_kpi_imports_region_id_regions', type_='foreignkey')
        batch_op.drop_index('ix_kpi_imports_region_id')
        batch_op.drop_column('region_id')
