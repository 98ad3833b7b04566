"""add rooms, officials and agenda sessions

Revision ID: ca14a5653282
Revises: 0899585b6f6c
Create Date: 2026-11-23 21:16:19.278281
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = 'ca14a5653282'
down_revision: str | None = '0899585b6f6c'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('official',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('name_native', sa.String(length=200), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('institution', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('official_event_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('official_pkey'))
    )
    with op.batch_alter_table('official', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_official_event_id'), ['event_id'], unique=False)

    op.create_table('room',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=100), nullable=False),
    sa.Column('capacity', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('room_event_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('room_pkey')),
    sa.UniqueConstraint('event_id', 'name', name=op.f('room_event_id_key'))
    )
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_room_event_id'), ['event_id'], unique=False)

    op.create_table('agenda_session',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('uid', sa.String(length=36), nullable=False),
    sa.Column('kind', sa.Enum('plenary', 'thematic_session', 'working_group', 'cultural_activity', 'official_meeting', 'press_conference', 'break', name='sessionkind', native_enum=False, length=25), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('starts_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('ends_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('room_id', sa.Integer(), nullable=True),
    sa.Column('topics', sa.JSON(), nullable=False),
    sa.Column('audience', sa.Enum('everyone', 'core', 'delegation', 'invited', name='audience', native_enum=False, length=18), nullable=False),
    sa.Column('audience_delegation_id', sa.Integer(), nullable=True),
    sa.Column('chatham_house', sa.Boolean(), nullable=False),
    sa.Column('is_published', sa.Boolean(), nullable=False),
    sa.Column('status', sa.Enum('scheduled', 'cancelled', name='sessionstatus', native_enum=False, length=17), nullable=False),
    sa.Column('sequence', sa.Integer(), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.CheckConstraint('ends_at > starts_at', name=op.f('agenda_session_ends_after_start_check')),
    sa.ForeignKeyConstraint(['audience_delegation_id'], ['delegation.id'], name=op.f('agenda_session_audience_delegation_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('agenda_session_event_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['room_id'], ['room.id'], name=op.f('agenda_session_room_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('agenda_session_pkey')),
    sa.UniqueConstraint('uid', name=op.f('agenda_session_uid_key'))
    )
    with op.batch_alter_table('agenda_session', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_agenda_session_audience_delegation_id'), ['audience_delegation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_session_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_session_room_id'), ['room_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_agenda_session_starts_at'), ['starts_at'], unique=False)

    op.create_table('session_invitee',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('session_invitee_registration_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('session_invitee_session_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('session_invitee_pkey')),
    sa.UniqueConstraint('session_id', 'registration_id', name=op.f('session_invitee_session_id_key'))
    )
    with op.batch_alter_table('session_invitee', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_invitee_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_invitee_session_id'), ['session_id'], unique=False)

    op.create_table('session_speaker',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('official_id', sa.Integer(), nullable=True),
    sa.Column('role', sa.Enum('moderator', 'speaker', 'panellist', 'rapporteur', 'guest', name='speakerrole', native_enum=False, length=18), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.CheckConstraint('(registration_id IS NULL) <> (official_id IS NULL)', name=op.f('session_speaker_participant_or_official_check')),
    sa.ForeignKeyConstraint(['official_id'], ['official.id'], name=op.f('session_speaker_official_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('session_speaker_registration_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('session_speaker_session_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('session_speaker_pkey')),
    sa.UniqueConstraint('session_id', 'official_id', name=op.f('session_speaker_official_key')),
    sa.UniqueConstraint('session_id', 'registration_id', name=op.f('session_speaker_registration_key'))
    )
    with op.batch_alter_table('session_speaker', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_speaker_official_id'), ['official_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_speaker_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_session_speaker_session_id'), ['session_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('session_speaker', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_speaker_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_speaker_registration_id'))
        batch_op.drop_index(batch_op.f('ix_session_speaker_official_id'))

    op.drop_table('session_speaker')
    with op.batch_alter_table('session_invitee', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_invitee_session_id'))
        batch_op.drop_index(batch_op.f('ix_session_invitee_registration_id'))

    op.drop_table('session_invitee')
    with op.batch_alter_table('agenda_session', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_agenda_session_starts_at'))
        batch_op.drop_index(batch_op.f('ix_agenda_session_room_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_session_event_id'))
        batch_op.drop_index(batch_op.f('ix_agenda_session_audience_delegation_id'))

    op.drop_table('agenda_session')
    with op.batch_alter_table('room', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_room_event_id'))

    op.drop_table('room')
    with op.batch_alter_table('official', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_official_event_id'))

    op.drop_table('official')
