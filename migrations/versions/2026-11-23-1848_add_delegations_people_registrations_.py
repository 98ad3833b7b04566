"""add delegations, people, registrations and invitations

Revision ID: 0899585b6f6c
Revises: 383276a86570
Create Date: 2026-11-23 18:48:24.505597
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = '0899585b6f6c'
down_revision: str | None = '383276a86570'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('person',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=True),
    sa.Column('email', sa.String(length=254), nullable=True),
    sa.Column('given_name', sa.String(length=100), nullable=False),
    sa.Column('family_name', sa.String(length=100), nullable=False),
    sa.Column('given_name_native', sa.String(length=100), nullable=False),
    sa.Column('family_name_native', sa.String(length=100), nullable=False),
    sa.Column('organisation', sa.String(length=200), nullable=False),
    sa.Column('position', sa.String(length=200), nullable=False),
    sa.Column('sector', sa.Enum('civil_society', 'academia', 'media', 'government', 'business', 'international', 'other', name='sector', native_enum=False, length=21), nullable=False),
    sa.Column('phone', sa.String(length=50), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('person_user_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('person_pkey')),
    sa.UniqueConstraint('email', name=op.f('person_email_key')),
    sa.UniqueConstraint('user_id', name=op.f('person_user_id_key'))
    )
    op.create_table('delegation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('name', sa.String(length=200), nullable=False),
    sa.Column('country', sa.String(length=2), nullable=False),
    sa.Column('side', sa.Enum('host', 'visiting', 'observer', 'mediator', name='delegationside', native_enum=False, length=16), nullable=False),
    sa.Column('head_name', sa.String(length=200), nullable=False),
    sa.Column('capacity_core', sa.Integer(), nullable=False),
    sa.Column('capacity_broader', sa.Integer(), nullable=False),
    sa.Column('lock_version', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('delegation_event_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('delegation_pkey')),
    sa.UniqueConstraint('event_id', 'name', name=op.f('delegation_event_id_key'))
    )
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_event_id'), ['event_id'], unique=False)

    op.create_table('delegation_coordinator',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name=op.f('delegation_coordinator_delegation_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('delegation_coordinator_event_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['user.id'], name=op.f('delegation_coordinator_user_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('delegation_coordinator_pkey')),
    sa.UniqueConstraint('delegation_id', 'user_id', name=op.f('delegation_coordinator_delegation_id_key'))
    )
    with op.batch_alter_table('delegation_coordinator', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_delegation_coordinator_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_coordinator_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_delegation_coordinator_user_id'), ['user_id'], unique=False)

    op.create_table('registration',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('person_id', sa.Integer(), nullable=False),
    sa.Column('circle', sa.Enum('core', 'broader', name='circle', native_enum=False, length=15), nullable=False),
    sa.Column('category', sa.Enum('civil_society', 'expert', 'media', 'official', 'staff', name='category', native_enum=False, length=21), nullable=False),
    sa.Column('status', sa.Enum('invited', 'registered', 'confirmed', 'waitlisted', 'declined', 'cancelled', 'attended', 'no_show', name='registrationstatus', native_enum=False, length=18), nullable=False),
    sa.Column('status_reason', sa.String(length=500), nullable=False),
    sa.Column('dietary_needs', sa.String(length=500), nullable=False),
    sa.Column('accessibility_needs', sa.String(length=500), nullable=False),
    sa.Column('languages', sa.String(length=100), nullable=False),
    sa.Column('emergency_contact_name', sa.String(length=200), nullable=False),
    sa.Column('emergency_contact_phone', sa.String(length=50), nullable=False),
    sa.Column('doc_type', sa.Enum('passport', 'id_card', 'other', name='documenttype', native_enum=False, length=16), nullable=True),
    sa.Column('doc_number', sa.Text(), nullable=True),
    sa.Column('doc_number_hash', sa.String(length=64), nullable=True),
    sa.Column('doc_number_hint', sa.String(length=4), nullable=True),
    sa.Column('doc_issuing_country', sa.String(length=2), nullable=True),
    sa.Column('doc_nationality', sa.String(length=2), nullable=True),
    sa.Column('doc_expires_on', sa.Date(), nullable=True),
    sa.Column('confirmed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('checked_in_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('purged_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name=op.f('registration_delegation_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('registration_event_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['person_id'], ['person.id'], name=op.f('registration_person_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('registration_pkey')),
    sa.UniqueConstraint('event_id', 'person_id', name=op.f('registration_event_id_key'))
    )
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_registration_created_at'), ['created_at'], unique=False)
        batch_op.create_index('ix_registration_delegation_circle_status', ['delegation_id', 'circle', 'status'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_doc_number_hash'), ['doc_number_hash'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_event_id'), ['event_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_registration_person_id'), ['person_id'], unique=False)

    op.create_table('consent',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('data_processing', 'photography', 'contact_sharing', name='consentkind', native_enum=False, length=23), nullable=False),
    sa.Column('text_version', sa.String(length=20), nullable=False),
    sa.Column('agreed_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('consent_registration_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('consent_pkey')),
    sa.UniqueConstraint('registration_id', 'kind', name=op.f('consent_registration_id_key'))
    )
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_consent_registration_id'), ['registration_id'], unique=False)

    op.create_table('invitation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('email', sa.String(length=254), nullable=False),
    sa.Column('circle', sa.Enum('core', 'broader', name='circle', native_enum=False, length=15), nullable=False),
    sa.Column('category', sa.Enum('civil_society', 'expert', 'media', 'official', 'staff', name='category', native_enum=False, length=21), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('status', sa.Enum('pending', 'accepted', 'revoked', name='invitationstatus', native_enum=False, length=16), nullable=False),
    sa.Column('expires_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('sent_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('send_count', sa.Integer(), nullable=False),
    sa.Column('accepted_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('registration_id', sa.Integer(), nullable=True),
    sa.Column('created_by_id', sa.Integer(), nullable=True),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['created_by_id'], ['user.id'], name=op.f('invitation_created_by_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name=op.f('invitation_delegation_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('invitation_event_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('invitation_registration_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('invitation_pkey')),
    sa.UniqueConstraint('token_hash', name=op.f('invitation_token_hash_key'))
    )
    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_invitation_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_email'), ['email'], unique=False)
        batch_op.create_index(batch_op.f('ix_invitation_event_id'), ['event_id'], unique=False)

    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.add_column(sa.Column('personal_data_purged_at', app.db.UTCDateTime(timezone=True), nullable=True))



def downgrade() -> None:
    with op.batch_alter_table('event', schema=None) as batch_op:
        batch_op.drop_column('personal_data_purged_at')

    with op.batch_alter_table('invitation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_invitation_event_id'))
        batch_op.drop_index(batch_op.f('ix_invitation_email'))
        batch_op.drop_index(batch_op.f('ix_invitation_delegation_id'))

    op.drop_table('invitation')
    with op.batch_alter_table('consent', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_consent_registration_id'))

    op.drop_table('consent')
    with op.batch_alter_table('registration', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_registration_person_id'))
        batch_op.drop_index(batch_op.f('ix_registration_event_id'))
        batch_op.drop_index(batch_op.f('ix_registration_doc_number_hash'))
        batch_op.drop_index('ix_registration_delegation_circle_status')
        batch_op.drop_index(batch_op.f('ix_registration_created_at'))

    op.drop_table('registration')
    with op.batch_alter_table('delegation_coordinator', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegation_coordinator_user_id'))
        batch_op.drop_index(batch_op.f('ix_delegation_coordinator_event_id'))
        batch_op.drop_index(batch_op.f('ix_delegation_coordinator_delegation_id'))

    op.drop_table('delegation_coordinator')
    with op.batch_alter_table('delegation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_delegation_event_id'))

    op.drop_table('delegation')
    op.drop_table('person')
