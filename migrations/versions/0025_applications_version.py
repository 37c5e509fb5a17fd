"""Kept pages: a data version for applications, so pages of the screening queue can be kept.

Revision ID: 0025
Revises: 0024
"""

from uuid import uuid4

import sqlalchemy as sa
from alembic import op


revision = '0025'
down_revision = '0024'
branch_labels = None
depends_on = None

_VERSIONS = sa.table('data_versions', sa.column('name', sa.String), sa.column('token', sa.String))


def upgrade() -> None:
    op.bulk_insert(_VERSIONS, [{'name': 'applications', 'token': uuid4().hex}])


def downgrade() -> None:
    op.execute(_VERSIONS.delete().where(_VERSIONS.c.name == 'applications'))
