"""Consultations: drafts put to councils, boards, young people, providers and residents.

Reactions with their answers and (for the analysis) points and themes, personal invitation links,
formal council views (zienswijzen) and information evenings.

Revision ID: 0003
Revises: 0002
Created: 2026-11-22
"""

import sqlalchemy as sa
from alembic import op

revision = '0003'
down_revision = '0002'
branch_labels = None
depends_on = None


def upgrade() -> None:
    op.create_table('consultations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('region_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('summary', sa.Text(), nullable=False),
    sa.Column('opens_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('closes_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('published_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('publish_reactions', sa.Boolean(), nullable=False),
    sa.Column('names_need_consent', sa.Boolean(), nullable=False),
    sa.Column('residents_may_react', sa.Boolean(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('closes_at > opens_at', name=op.f('ck_consultations_closes_after_opening')),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_consultations_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['region_id'], ['regions.id'], name=op.f('fk_consultations_region_id_regions')),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultations'))
    )
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultations_region_id'), ['region_id'], unique=False)

    op.create_table('consultation_audiences',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('gemeenteraad', 'adviesraad', 'clientenraad', 'ervaringsdeskundige', 'zorgaanbieder', 'inwoner', name='audience', native_enum=False, create_constraint=True), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_audiences_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('consultation_id', 'audience', name=op.f('pk_consultation_audiences'))
    )
    op.create_table('consultation_documents',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('version', sa.String(length=40), nullable=False),
    sa.Column('file_key', sa.String(length=80), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_documents_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_documents')),
    sa.UniqueConstraint('consultation_id', 'title', 'version', name=op.f('uq_consultation_documents_consultation_id_title_version'))
    )
    with op.batch_alter_table('consultation_documents', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_documents_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultation_meetings',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('held_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('audience', sa.Enum('gemeenteraad', 'adviesraad', 'clientenraad', 'ervaringsdeskundige', 'zorgaanbieder', 'inwoner', name='audience', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('attendees', sa.Integer(), nullable=False),
    sa.Column('recorded_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint('attendees >= 0', name=op.f('ck_consultation_meetings_attendees_not_negative')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_meetings_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['recorded_by_id'], ['users.id'], name=op.f('fk_consultation_meetings_recorded_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_meetings'))
    )
    with op.batch_alter_table('consultation_meetings', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_meetings_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultation_municipalities',
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_municipalities_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_consultation_municipalities_municipality_id_municipalities')),
    sa.PrimaryKeyConstraint('consultation_id', 'municipality_id', name=op.f('pk_consultation_municipalities'))
    )
    op.create_table('consultation_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('plain_text', sa.Text(), nullable=True),
    sa.Column('kind', sa.Enum('open', 'single', 'multiple', 'agreement', 'scale', name='kind', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('options', sa.JSON(), nullable=False),
    sa.CheckConstraint('position > 0', name=op.f('ck_consultation_questions_position_positive')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_questions_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_questions')),
    sa.UniqueConstraint('consultation_id', 'key', name=op.f('uq_consultation_questions_consultation_id_key')),
    sa.UniqueConstraint('consultation_id', 'position', name=op.f('uq_consultation_questions_consultation_id_position'))
    )
    with op.batch_alter_table('consultation_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_questions_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultation_themes',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('key', sa.String(length=40), nullable=False),
    sa.Column('label', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=True),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_themes_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_themes')),
    sa.UniqueConstraint('consultation_id', 'key', name=op.f('uq_consultation_themes_consultation_id_key'))
    )
    with op.batch_alter_table('consultation_themes', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_themes_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('personal_invitations',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('audience', sa.Enum('gemeenteraad', 'adviesraad', 'clientenraad', 'ervaringsdeskundige', 'zorgaanbieder', 'inwoner', name='audience', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('anonymous_allowed', sa.Boolean(), nullable=False),
    sa.Column('expires_at', sa.DateTime(timezone=True), nullable=False),
    sa.Column('revoked_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_personal_invitations_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_personal_invitations_created_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_personal_invitations')),
    sa.UniqueConstraint('token_hash', name=op.f('uq_personal_invitations_token_hash'))
    )
    with op.batch_alter_table('personal_invitations', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_personal_invitations_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('consultation_responses',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=50), nullable=False),
    sa.Column('respondent', sa.String(length=300), nullable=False),
    sa.Column('audience', sa.Enum('gemeenteraad', 'adviesraad', 'clientenraad', 'ervaringsdeskundige', 'zorgaanbieder', 'inwoner', name='audience', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('municipality_id', sa.Integer(), nullable=True),
    sa.Column('body_id', sa.Integer(), nullable=True),
    sa.Column('provider_id', sa.Integer(), nullable=True),
    sa.Column('invitation_id', sa.Integer(), nullable=True),
    sa.Column('anonymous', sa.Boolean(), nullable=False),
    sa.Column('publish_name', sa.Boolean(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('attachment_key', sa.String(length=80), nullable=True),
    sa.Column('status', sa.Enum('draft', 'submitted', 'withdrawn', name='status', native_enum=False, create_constraint=True), nullable=False),
    sa.Column('submitted_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('withdrawn_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('version', sa.Integer(), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.CheckConstraint("provider_id IS NULL OR audience = 'zorgaanbieder'", name=op.f('ck_consultation_responses_provider_audience')),
    sa.CheckConstraint("status <> 'submitted' OR submitted_at IS NOT NULL", name=op.f('ck_consultation_responses_submitted_moment')),
    sa.CheckConstraint("status <> 'withdrawn' OR withdrawn_at IS NOT NULL", name=op.f('ck_consultation_responses_withdrawn_moment')),
    sa.CheckConstraint('(CASE WHEN body_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN provider_id IS NULL THEN 0 ELSE 1 END) + (CASE WHEN invitation_id IS NULL THEN 0 ELSE 1 END) <= 1', name=op.f('ck_consultation_responses_one_sender')),
    sa.CheckConstraint('NOT (anonymous AND publish_name)', name=op.f('ck_consultation_responses_anonymous_without_name')),
    sa.CheckConstraint('version > 0', name=op.f('ck_consultation_responses_version_positive')),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_consultation_responses_body_id_bodies')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_responses_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['created_by_id'], ['users.id'], name=op.f('fk_consultation_responses_created_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['invitation_id'], ['personal_invitations.id'], name=op.f('fk_consultation_responses_invitation_id_personal_invitations')),
    sa.ForeignKeyConstraint(['municipality_id'], ['municipalities.id'], name=op.f('fk_consultation_responses_municipality_id_municipalities')),
    sa.ForeignKeyConstraint(['provider_id'], ['providers.id'], name=op.f('fk_consultation_responses_provider_id_providers')),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['users.id'], name=op.f('fk_consultation_responses_submitted_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['users.id'], name=op.f('fk_consultation_responses_updated_by_id_users'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_responses')),
    sa.UniqueConstraint('consultation_id', 'ref', name=op.f('uq_consultation_responses_consultation_id_ref'))
    )
    with op.batch_alter_table('consultation_responses', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_responses_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_responses_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_responses_invitation_id'), ['invitation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_responses_municipality_id'), ['municipality_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_responses_provider_id'), ['provider_id'], unique=False)
        batch_op.create_index('uq_consultation_responses_body_id_active', ['consultation_id', 'body_id'], unique=True, postgresql_where=sa.text("body_id IS NOT NULL AND status <> 'withdrawn'"), sqlite_where=sa.text("body_id IS NOT NULL AND status <> 'withdrawn'"))
        batch_op.create_index('uq_consultation_responses_invitation_id_active', ['consultation_id', 'invitation_id'], unique=True, postgresql_where=sa.text("invitation_id IS NOT NULL AND status <> 'withdrawn'"), sqlite_where=sa.text("invitation_id IS NOT NULL AND status <> 'withdrawn'"))
        batch_op.create_index('uq_consultation_responses_provider_id_active', ['consultation_id', 'provider_id'], unique=True, postgresql_where=sa.text("provider_id IS NOT NULL AND status <> 'withdrawn'"), sqlite_where=sa.text("provider_id IS NOT NULL AND status <> 'withdrawn'"))

    op.create_table('formal_views',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('body_id', sa.Integer(), nullable=False),
    sa.Column('deadline', sa.DateTime(timezone=True), nullable=False),
    sa.Column('received_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('letter_key', sa.String(length=80), nullable=True),
    sa.Column('summary', sa.Text(), nullable=True),
    sa.Column('reminded_at', sa.DateTime(timezone=True), nullable=True),
    sa.Column('created_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.Column('updated_at', sa.DateTime(timezone=True), server_default=sa.text('(CURRENT_TIMESTAMP)'), nullable=False),
    sa.ForeignKeyConstraint(['body_id'], ['bodies.id'], name=op.f('fk_formal_views_body_id_bodies')),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_formal_views_consultation_id_consultations'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_formal_views')),
    sa.UniqueConstraint('consultation_id', 'body_id', name=op.f('uq_formal_views_consultation_id_body_id'))
    )
    with op.batch_alter_table('formal_views', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_formal_views_body_id'), ['body_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_formal_views_consultation_id'), ['consultation_id'], unique=False)

    op.create_table('meeting_questions',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('question', sa.Text(), nullable=False),
    sa.Column('answer', sa.Text(), nullable=True),
    sa.Column('follow_up', sa.Text(), nullable=True),
    sa.Column('follow_up_owner', sa.String(length=200), nullable=True),
    sa.Column('follow_up_status', sa.Enum('open', 'done', name='follow_up_status', native_enum=False, create_constraint=True), nullable=True),
    sa.CheckConstraint('(follow_up IS NULL) = (follow_up_status IS NULL)', name=op.f('ck_meeting_questions_follow_up_has_status')),
    sa.ForeignKeyConstraint(['meeting_id'], ['consultation_meetings.id'], name=op.f('fk_meeting_questions_meeting_id_consultation_meetings'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_meeting_questions')),
    sa.UniqueConstraint('meeting_id', 'position', name=op.f('uq_meeting_questions_meeting_id_position'))
    )
    with op.batch_alter_table('meeting_questions', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_meeting_questions_meeting_id'), ['meeting_id'], unique=False)

    op.create_table('consultation_answers',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('response_id', sa.Integer(), nullable=False),
    sa.Column('question_id', sa.Integer(), nullable=False),
    sa.Column('choice', sa.Text(), nullable=True),
    sa.Column('text', sa.Text(), nullable=True),
    sa.CheckConstraint('choice IS NOT NULL OR text IS NOT NULL', name=op.f('ck_consultation_answers_not_empty')),
    sa.ForeignKeyConstraint(['question_id'], ['consultation_questions.id'], name=op.f('fk_consultation_answers_question_id_consultation_questions'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['response_id'], ['consultation_responses.id'], name=op.f('fk_consultation_answers_response_id_consultation_responses'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_answers')),
    sa.UniqueConstraint('response_id', 'question_id', name=op.f('uq_consultation_answers_response_id_question_id'))
    )
    with op.batch_alter_table('consultation_answers', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_answers_question_id'), ['question_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_answers_response_id'), ['response_id'], unique=False)

    op.create_table('consultation_points',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('answer_id', sa.Integer(), nullable=False),
    sa.Column('consultation_id', sa.Integer(), nullable=False),
    sa.Column('ref', sa.String(length=50), nullable=True),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('theme_id', sa.Integer(), nullable=True),
    sa.Column('reaction', sa.Text(), nullable=True),
    sa.Column('disposition', sa.Enum('text_changed', 'procurement_documents', 'noted', 'not_adopted', name='disposition', native_enum=False, create_constraint=True), nullable=True),
    sa.CheckConstraint('position > 0', name=op.f('ck_consultation_points_position_positive')),
    sa.ForeignKeyConstraint(['answer_id'], ['consultation_answers.id'], name=op.f('fk_consultation_points_answer_id_consultation_answers'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['consultation_id'], ['consultations.id'], name=op.f('fk_consultation_points_consultation_id_consultations'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['theme_id'], ['consultation_themes.id'], name=op.f('fk_consultation_points_theme_id_consultation_themes'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_consultation_points')),
    sa.UniqueConstraint('answer_id', 'position', name=op.f('uq_consultation_points_answer_id_position')),
    sa.UniqueConstraint('consultation_id', 'ref', name=op.f('uq_consultation_points_consultation_id_ref'))
    )
    with op.batch_alter_table('consultation_points', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consultation_points_answer_id'), ['answer_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_points_consultation_id'), ['consultation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_consultation_points_theme_id'), ['theme_id'], unique=False)


def downgrade() -> None:
    with op.batch_alter_table('consultation_points', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_points_theme_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_points_consultation_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_points_answer_id'))

    op.drop_table('consultation_points')
    with op.batch_alter_table('consultation_answers', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_answers_response_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_answers_question_id'))

    op.drop_table('consultation_answers')
    with op.batch_alter_table('meeting_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_meeting_questions_meeting_id'))

    op.drop_table('meeting_questions')
    with op.batch_alter_table('formal_views', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_formal_views_consultation_id'))
        batch_op.drop_index(batch_op.f('ix_formal_views_body_id'))

    op.drop_table('formal_views')
    with op.batch_alter_table('consultation_responses', schema=None) as batch_op:
        batch_op.drop_index('uq_consultation_responses_provider_id_active', postgresql_where=sa.text("provider_id IS NOT NULL AND status <> 'withdrawn'"), sqlite_where=sa.text("provider_id IS NOT NULL AND status <> 'withdrawn'"))
        batch_op.drop_index('uq_consultation_responses_invitation_id_active', postgresql_where=sa.text("invitation_id IS NOT NULL AND status <> 'withdrawn'"), sqlite_where=sa.text("invitation_id IS NOT NULL AND status <> 'withdrawn'"))
        batch_op.drop_index('uq_consultation_responses_body_id_active', postgresql_where=sa.text("body_id IS NOT NULL AND status <> 'withdrawn'"), sqlite_where=sa.text("body_id IS NOT NULL AND status <> 'withdrawn'"))
        batch_op.drop_index(batch_op.f('ix_consultation_responses_provider_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_responses_municipality_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_responses_invitation_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_responses_consultation_id'))
        batch_op.drop_index(batch_op.f('ix_consultation_responses_body_id'))

    op.drop_table('consultation_responses')
    with op.batch_alter_table('personal_invitations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_personal_invitations_consultation_id'))

    op.drop_table('personal_invitations')
    with op.batch_alter_table('consultation_themes', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_themes_consultation_id'))

    op.drop_table('consultation_themes')
    with op.batch_alter_table('consultation_questions', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_questions_consultation_id'))

    op.drop_table('consultation_questions')
    op.drop_table('consultation_municipalities')
    with op.batch_alter_table('consultation_meetings', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_meetings_consultation_id'))

    op.drop_table('consultation_meetings')
    with op.batch_alter_table('consultation_documents', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultation_documents_consultation_id'))

    op.drop_table('consultation_documents')
    op.drop_table('consultation_audiences')
    with op.batch_alter_table('consultations', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consultations_region_id'))

    op.drop_table('consultations')
