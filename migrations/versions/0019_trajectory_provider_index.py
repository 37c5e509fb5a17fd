"""KPI speed: the provider index of trajectories also holds the municipality, so finding the
regions a provider works in takes a lookup per municipality instead of reading all its care.

Revision ID: 0019
Revises: 0018
"""

from alembic import op


revision = '0019'
down_revision = '0018'
branch_labels = None
depends_on = None


def upgrade() -> None:
    with op.batch_alter_table('trajectories') as batch_op:
        batch_op.create_index('ix_trajectories_provider_id_municipality_id', ['provider_id', 'municipality_id'],
                              unique=False)
        batch_op.drop_index('ix_trajectories_provider_id')


def downgrade() -> None:
    with op.batch_alter_table('trajectories') as batch_op:
        batch_op.create_index('ix_trajectories_provider_id', ['provider_id'], unique=False)
        batch_op.drop_index('ix_trajectories_provider_id_municipality_id')
