"""add data version

Revision ID: 7c0d2e4f6a81
Revises: 5e7a1c2d9b40
Create Date: 2026-11-24 09:30:00.000000
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

revision: str = '7c0d2e4f6a81'
down_revision: str | None = '5e7a1c2d9b40'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    data_version = op.create_table('data_version',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('value', sa.BigInteger(), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('data_version_pkey'))
    )
    op.bulk_insert(data_version, [{'id': 1, 'value': 0}])


def downgrade() -> None:
    op.drop_table('data_version')
