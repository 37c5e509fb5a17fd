"""Kept pages: one table of data versions (kpi, organisations, consultations, register) instead of the KPI's own one-row table.

Revision ID: 0024
Revises: 0023
"""

from uuid import uuid4

import sqlalchemy as sa
from alembic import op


revision = '0024'
down_revision = '0023'
branch_labels = None
depends_on = None

#: The kinds of data portal.kept watches: each has a token from the installation on.
WATCHED = ('consultations', 'organisations', 'register')


def upgrade() -> None:
    versions = op.create_table(
        'data_versions',
        sa.Column('name', sa.String(length=40), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.PrimaryKeyConstraint('name', name=op.f('pk_data_versions')),
    )
    # The KPI pages keep their token (none before the first import); every kind of data that
    # portal.kept watches has one from now on.
    op.execute(versions.insert().from_select(
        ['name', 'token'], sa.select(sa.literal('kpi'), sa.column('token')).select_from(sa.table('kpi_data_version', sa.column('token')))
    ))
    op.bulk_insert(versions, [{'name': name, 'token': uuid4().hex} for name in WATCHED])
    op.drop_table('kpi_data_version')


def downgrade() -> None:
    kpi = op.create_table(
        'kpi_data_version',
        sa.Column('id', sa.Integer(), nullable=False),
        sa.Column('token', sa.String(length=32), nullable=False),
        sa.Column('changed_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
        sa.PrimaryKeyConstraint('id', name=op.f('pk_kpi_data_version')),
    )
    op.execute(kpi.insert().from_select(
        ['id', 'token'], sa.select(sa.literal(1), sa.column('token')).select_from(sa.table('data_versions', sa.column('token'), sa.column('name'))).where(sa.column('name') == 'kpi')
    ))
    op.drop_table('data_versions')
