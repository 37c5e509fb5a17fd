"""Consultation analysis: where each point sits in its source, versions for coding, secondary
themes, the review of reactions (reactie) and the consultation's report (reactienota, public page).

Revision ID: 0013
Revises: 0012
Created: 2026-11-29
"""

import sqlalchemy as sa
from alembic import op

revision = '0013'
down_revision = '0012'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.add_column('consultation_points', sa.Column('source_start', sa.Integer(), nullable=True))
    op.add_column('consultation_points', sa.Column('source_end', sa.Integer(), nullable=True))
    op.add_column('consultation_points', sa.Column('version', sa.Integer(), server_default='1', nullable=False))
    op.create_table('consultation_point_themes',
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['point_id'], ['consultation_points.id'], name=op.f('fk_consultation_point_themes_point_id_consultation_points'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['consultation_themes.id'], name=op.f('fk_consultation_point_themes_theme_id_consultation_themes'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('point_id', 'theme_id', name=op.f('pk_consultation_point_themes'))
    )
    op.create_table('consultation_point_reactions',
    sa.Column('point_id', sa.Integer(), nullable=False),
    sa.Column('status', sa.Enum('draft', 'reviewed', 'final', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('reason', sa.Text(), nullable=True),
    sa.Column('owner_id', sa.Integer(), nullable=True),
    sa.Column('written_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_by_id', sa.Integer(), nullable=True),
    sa.Column('reviewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('finalised_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('reviewed_by_id IS NULL OR written_by_id IS NULL OR reviewed_by_id <> written_by_id', name=op.f('ck_consultation_point_reactions_second_person_reviews')),
    sa.CheckConstraint("status = 'draft' OR reviewed_at IS NOT NULL", name=op.f('ck_consultation_point_reactions_reviewed_before_final')),
    sa.CheckConstraint('version > 0', name=op.f('ck_consultation_point_reactions_version_positive')),
    sa.ForeignKeyConstraint(['owner_id'], ['users.id'], name=op.f('fk_consultation_point_reactions_owner_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['point_id'], ['consultation_points.id'], name=op.f('fk_consultation_point_reactions_point_id_consultation_points'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['reviewed_by_id'], ['users.id'], name=op.f('fk_consultation_point_reactions_reviewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['written_by_id'], ['users.id'], name=op.f('fk_consultation_point_reactions_written_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('point_id', name=op.f('pk_consultation_point_reactions'))
    )
    op.create_table('consultation_reports',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('memo_final_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('memo_final_by_id', sa.Integer(), nullable=True),
    sa.Column('previewed_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('previewed_by_id', sa.Integer(), nullable=True),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('published_at IS NULL OR previewed_at IS NOT NULL', name=op.f('ck_consultation_reports_previewed_before_published')),
    sa.CheckConstraint('version > 0', name=op.f('ck_consultation_reports_version_positive')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_reports_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['memo_final_by_id'], ['users.id'], name=op.f('fk_consultation_reports_memo_final_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['previewed_by_id'], ['users.id'], name=op.f('fk_consultation_reports_previewed_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['published_by_id'], ['users.id'], name=op.f('fk_consultation_reports_published_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('consultation_id', name=op.f('pk_consultation_reports'))
    )


def downgrade() -> None:
    op.drop_table('consultation_reports')
    op.drop_table('consultation_point_reactions')
    op.drop_table('consultation_point_themes')
    op.drop_column('consultation_points', 'version')
    op.drop_column('consultation_points', 'source_end')
    op.drop_column('consultation_points', 'source_start')
