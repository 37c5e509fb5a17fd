"""Kept pages: data versions for applications (the screening queue) and accounts (the signed-in user).

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

NAMES = ('accounts', 'applications')
_VERSIONS = sa.table('data_versions', sa.column('name', sa.String), sa.column('token', sa.String))


def upgrade() -> None:
    op.bulk_insert(_VERSIONS, [{'name': name, 'token': uuid4().hex} for name in NAMES])


def downgrade() -> None:
    op.execute(_VERSIONS.delete().where(_VERSIONS.c.name.in_(NAMES)))
