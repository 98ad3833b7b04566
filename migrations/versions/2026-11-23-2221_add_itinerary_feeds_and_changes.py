"""add itinerary feeds and changes

Revision ID: 9cf7e3a6924d
Revises: 6096bb263c64
Create Date: 2026-11-23 22:21:10.011368
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = '9cf7e3a6924d'
down_revision: str | None = '6096bb263c64'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('itinerary_change',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.Enum('session_moved', 'session_room', 'session_cancelled', 'crossing_moved', name='changekind', native_enum=False, length=25), nullable=False),
    sa.Column('subject_id', sa.Integer(), nullable=False),
    sa.Column('summary', sa.String(length=500), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('notified_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('seen_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('itinerary_change_registration_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('itinerary_change_pkey'))
    )
    with op.batch_alter_table('itinerary_change', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itinerary_change_created_at'), ['created_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_itinerary_change_notified_at'), ['notified_at'], unique=False)
        batch_op.create_index(batch_op.f('ix_itinerary_change_registration_id'), ['registration_id'], unique=False)

    op.create_table('itinerary_feed',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('token_hash', sa.String(length=64), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('last_polled_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('revoked_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('itinerary_feed_registration_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('itinerary_feed_pkey')),
    sa.UniqueConstraint('token_hash', name=op.f('itinerary_feed_token_hash_key'))
    )
    with op.batch_alter_table('itinerary_feed', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_itinerary_feed_registration_id'), ['registration_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('itinerary_feed', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itinerary_feed_registration_id'))

    op.drop_table('itinerary_feed')
    with op.batch_alter_table('itinerary_change', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_itinerary_change_registration_id'))
        batch_op.drop_index(batch_op.f('ix_itinerary_change_notified_at'))
        batch_op.drop_index(batch_op.f('ix_itinerary_change_created_at'))

    op.drop_table('itinerary_change')
