"""add session translations

Revision ID: 5e7a1c2d9b40
Revises: d831f96a8826
Create Date: 2026-11-24 00:05:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '5e7a1c2d9b40'
down_revision: str | None = 'd831f96a8826'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('session_translation',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('session_id', sa.Integer(), nullable=False),
    sa.Column('language', sa.String(length=8), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.ForeignKeyConstraint(['session_id'], ['agenda_session.id'], name=op.f('session_translation_session_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('session_translation_pkey')),
    sa.UniqueConstraint('session_id', 'language', name=op.f('session_translation_session_id_key'))
    )
    with op.batch_alter_table('session_translation', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_session_translation_session_id'), ['session_id'], unique=False)

    with op.batch_alter_table('itinerary_change', schema=None) as batch_op:
        batch_op.add_column(sa.Column('details', sa.Text(), server_default='', nullable=False))
    with op.batch_alter_table('itinerary_change', schema=None) as batch_op:
        batch_op.alter_column('details', server_default=None)


def downgrade() -> None:
    with op.batch_alter_table('itinerary_change', schema=None) as batch_op:
        batch_op.drop_column('details')

    with op.batch_alter_table('session_translation', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_session_translation_session_id'))

    op.drop_table('session_translation')
