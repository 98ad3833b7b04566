"""add outcomes recommendations press and summaries

Revision ID: d831f96a8826
Revises: 9cf7e3a6924d
Create Date: 2026-11-24 00:04:11.499267
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = 'd831f96a8826'
down_revision: str | None = '9cf7e3a6924d'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('event_summary',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('introduction', sa.Text(), nullable=False),
    sa.Column('conclusion', sa.Text(), nullable=False),
    sa.Column('published_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('event_summary_event_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('event_summary_updated_by_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('event_summary_pkey')),
    sa.UniqueConstraint('event_id', name=op.f('event_summary_event_id_key'))
    )
    op.create_table('media_coverage',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('outlet', sa.String(length=200), nullable=False),
    sa.Column('url', sa.String(length=2000), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('published_on', sa.Date(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('media_coverage_created_by_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('media_coverage_event_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('media_coverage_pkey'))
    )
    with op.batch_alter_table('media_coverage', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_media_coverage_event_id'), ['event_id'], unique=False)

    op.create_table('outcome',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('key_points', sa.JSON(), nullable=False),
    sa.Column('is_public', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('outcome_session_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['updated_by_id'], ['user.id'], name=op.f('outcome_updated_by_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('outcome_pkey')),
    sa.UniqueConstraint('session_id', name=op.f('outcome_session_id_key'))
    )
    op.create_table('press_item',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('press_release', 'joint_statement', name='presskind', native_enum=False, length=23), nullable=False),
    sa.Column('status', sa.Enum('draft', 'published', 'withdrawn', name='pressstatus', native_enum=False, length=17), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('published_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('published_by_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('press_item_created_by_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('press_item_event_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['published_by_id'], ['user.id'], name=op.f('press_item_published_by_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('press_item_session_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('press_item_pkey'))
    )
    with op.batch_alter_table('press_item', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_item_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_press_item_published_at'), ['published_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_press_item_session_id'), ['session_id'], unique=False)

    op.create_table('recommendation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('initiative_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=True),
    sa.Column('session_id', sa.Integer(), nullable=True),
    sa.Column('phase_id', sa.Integer(), nullable=True),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('area', sa.Enum('economic_cooperation', 'infrastructure_transport', 'energy', 'humanitarian', 'security', 'other', name='recommendationarea', native_enum=False, length=32), nullable=False),
    sa.Column('owners', sa.JSON(), nullable=False),
    sa.Column('target_on', sa.Date(), nullable=True),
    sa.Column('status', sa.Enum('proposed', 'agreed', 'in_progress', 'done', 'dropped', name='recommendationstatus', native_enum=False, length=19), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('recommendation_event_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['initiative_id'], ['initiative.id'], name=op.f('recommendation_initiative_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['phase_id'], ['roadmap_phase.id'], name=op.f('recommendation_phase_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('recommendation_session_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('recommendation_pkey'))
    )
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_recommendation_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendation_initiative_id'), ['initiative_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendation_phase_id'), ['phase_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendation_session_id'), ['session_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_recommendation_status'), ['status'], unique=False)

    op.create_table('press_approval',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('approved_by_id', sa.Integer(), nullable=True),
    sa.Column('approved_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('withdrawn_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['approved_by_id'], ['user.id'], name=op.f('press_approval_approved_by_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name=op.f('press_approval_delegation_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['item_id'], ['press_item.id'], name=op.f('press_approval_item_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('press_approval_pkey'))
    )
    with op.batch_alter_table('press_approval', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_approval_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_press_approval_item_id'), ['item_id'], unique=False)

    op.create_table('press_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('item_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('number', sa.Integer(), nullable=False),
    sa.Column('revision', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=300), nullable=False),
    sa.Column('body', sa.Text(), nullable=False),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('press_version_author_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['item_id'], ['press_item.id'], name=op.f('press_version_item_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('press_version_pkey')),
    sa.UniqueConstraint('item_id', 'language', 'number', name=op.f('press_version_item_id_key'))
    )
    with op.batch_alter_table('press_version', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_press_version_item_id'), ['item_id'], unique=False)

    op.create_table('progress_update',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('recommendation_id', sa.Integer(), nullable=False),
    sa.Column('reported_on', sa.Date(), nullable=False),
    sa.Column('text', sa.Text(), nullable=False),
    sa.Column('status', sa.Enum('proposed', 'agreed', 'in_progress', 'done', 'dropped', name='recommendationstatus', native_enum=False, length=19), nullable=True),
    sa.Column('author_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['author_id'], ['user.id'], name=op.f('progress_update_author_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['recommendation_id'], ['recommendation.id'], name=op.f('progress_update_recommendation_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('progress_update_pkey'))
    )
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_progress_update_recommendation_id'), ['recommendation_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('progress_update', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_progress_update_recommendation_id'))

    op.drop_table('progress_update')
    with op.batch_alter_table('press_version', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_version_item_id'))

    op.drop_table('press_version')
    with op.batch_alter_table('press_approval', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_approval_item_id'))
        batch_op.drop_index(batch_op.f('ix_press_approval_delegation_id'))

    op.drop_table('press_approval')
    with op.batch_alter_table('recommendation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_recommendation_status'))
        batch_op.drop_index(batch_op.f('ix_recommendation_session_id'))
        batch_op.drop_index(batch_op.f('ix_recommendation_phase_id'))
        batch_op.drop_index(batch_op.f('ix_recommendation_initiative_id'))
        batch_op.drop_index(batch_op.f('ix_recommendation_event_id'))

    op.drop_table('recommendation')
    with op.batch_alter_table('press_item', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_press_item_session_id'))
        batch_op.drop_index(batch_op.f('ix_press_item_published_at'))
        batch_op.drop_index(batch_op.f('ix_press_item_event_id'))

    op.drop_table('press_item')
    op.drop_table('outcome')
    with op.batch_alter_table('media_coverage', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_media_coverage_event_id'))

    op.drop_table('media_coverage')
    op.drop_table('event_summary')
