"""add crossing points, crossings, manifests and checklists

Revision ID: 6096bb263c64
Revises: ca14a5653282
Create Date: 2026-11-23 21:52:34.985153
"""

from collections.abc import Sequence

import sqlalchemy as sa
from alembic import op

import app.db

revision: str = '6096bb263c64'
down_revision: str | None = 'ca14a5653282'
branch_labels: str | Sequence[str] | None = None
depends_on: str | Sequence[str] | None = None


def upgrade() -> None:
    op.create_table('crossing_point',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('name_a', sa.String(length=200), nullable=False),
    sa.Column('country_a', sa.String(length=2), nullable=False),
    sa.Column('name_b', sa.String(length=200), nullable=False),
    sa.Column('country_b', sa.String(length=2), nullable=False),
    sa.Column('latitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('longitude', sa.Numeric(precision=9, scale=6), nullable=True),
    sa.Column('status', sa.String(length=200), nullable=False),
    sa.Column('opening_hours', sa.String(length=200), nullable=False),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('is_active', sa.Boolean(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.PrimaryKeyConstraint('id', name=op.f('crossing_point_pkey'))
    )
    op.create_table('procedure_template',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crossing_point_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('responsible_side', sa.Enum('host', 'visiting', 'both', name='responsibleside', native_enum=False, length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['crossing_point_id'], ['crossing_point.id'], name=op.f('procedure_template_crossing_point_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('procedure_template_pkey'))
    )
    with op.batch_alter_table('procedure_template', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_template_crossing_point_id'), ['crossing_point_id'], unique=False)

    op.create_table('crossing',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('event_id', sa.Integer(), nullable=False),
    sa.Column('delegation_id', sa.Integer(), nullable=False),
    sa.Column('crossing_point_id', sa.Integer(), nullable=False),
    sa.Column('direction', sa.Enum('arrival', 'departure', name='crossingdirection', native_enum=False, length=17), nullable=False),
    sa.Column('planned_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('actual_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('meeting_point', sa.String(length=200), nullable=False),
    sa.Column('meeting_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('host_escort', sa.String(length=200), nullable=False),
    sa.Column('host_contact', sa.String(length=200), nullable=False),
    sa.Column('visiting_escort', sa.String(length=200), nullable=False),
    sa.Column('visiting_contact', sa.String(length=200), nullable=False),
    sa.Column('status', sa.Enum('draft', 'submitted', 'cleared', 'completed', name='crossingstatus', native_enum=False, length=17), nullable=False),
    sa.Column('submitted_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('submitted_by_id', sa.Integer(), nullable=True),
    sa.Column('cleared_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('cleared_by_id', sa.Integer(), nullable=True),
    sa.Column('completed_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('completed_by_id', sa.Integer(), nullable=True),
    sa.Column('notes', sa.Text(), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['cleared_by_id'], ['user.id'], name=op.f('crossing_cleared_by_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['completed_by_id'], ['user.id'], name=op.f('crossing_completed_by_id_fkey'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['crossing_point_id'], ['crossing_point.id'], name=op.f('crossing_crossing_point_id_fkey')),
    sa.ForeignKeyConstraint(['delegation_id'], ['delegation.id'], name=op.f('crossing_delegation_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['event_id'], ['event.id'], name=op.f('crossing_event_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['submitted_by_id'], ['user.id'], name=op.f('crossing_submitted_by_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('crossing_pkey'))
    )
    with op.batch_alter_table('crossing', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_crossing_crossing_point_id'), ['crossing_point_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crossing_delegation_id'), ['delegation_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_crossing_event_id'), ['event_id'], unique=False)

    op.create_table('procedure_step',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crossing_id', sa.Integer(), nullable=False),
    sa.Column('title', sa.String(length=200), nullable=False),
    sa.Column('description', sa.Text(), nullable=False),
    sa.Column('lead_days', sa.Integer(), nullable=False),
    sa.Column('responsible_side', sa.Enum('host', 'visiting', 'both', name='responsibleside', native_enum=False, length=16), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.Column('done_at', app.db.UTCDateTime(timezone=True), nullable=True),
    sa.Column('done_by_id', sa.Integer(), nullable=True),
    sa.ForeignKeyConstraint(['crossing_id'], ['crossing.id'], name=op.f('procedure_step_crossing_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['done_by_id'], ['user.id'], name=op.f('procedure_step_done_by_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('procedure_step_pkey'))
    )
    with op.batch_alter_table('procedure_step', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_procedure_step_crossing_id'), ['crossing_id'], unique=False)

    op.create_table('vehicle',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crossing_id', sa.Integer(), nullable=False),
    sa.Column('label', sa.String(length=100), nullable=False),
    sa.Column('plate', sa.String(length=20), nullable=False),
    sa.Column('driver_name', sa.String(length=200), nullable=False),
    sa.Column('driver_phone', sa.String(length=50), nullable=False),
    sa.Column('seats', sa.Integer(), nullable=False),
    sa.Column('position', sa.Integer(), nullable=False),
    sa.ForeignKeyConstraint(['crossing_id'], ['crossing.id'], name=op.f('vehicle_crossing_id_fkey'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('vehicle_pkey'))
    )
    with op.batch_alter_table('vehicle', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_vehicle_crossing_id'), ['crossing_id'], unique=False)

    op.create_table('manifest_entry',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('crossing_id', sa.Integer(), nullable=False),
    sa.Column('registration_id', sa.Integer(), nullable=False),
    sa.Column('vehicle_id', sa.Integer(), nullable=True),
    sa.Column('status', sa.Enum('listed', 'cleared', 'refused', 'crossed', name='manifeststatus', native_enum=False, length=15), nullable=False),
    sa.Column('staying_reason', sa.String(length=500), nullable=False),
    sa.Column('created_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.Column('updated_at', app.db.UTCDateTime(timezone=True), nullable=False),
    sa.ForeignKeyConstraint(['crossing_id'], ['crossing.id'], name=op.f('manifest_entry_crossing_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['registration_id'], ['registration.id'], name=op.f('manifest_entry_registration_id_fkey'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['vehicle_id'], ['vehicle.id'], name=op.f('manifest_entry_vehicle_id_fkey'), ondelete='SET NULL'),
    sa.PrimaryKeyConstraint('id', name=op.f('manifest_entry_pkey')),
    sa.UniqueConstraint('crossing_id', 'registration_id', name=op.f('manifest_entry_crossing_id_key'))
    )
    with op.batch_alter_table('manifest_entry', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_manifest_entry_crossing_id'), ['crossing_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_manifest_entry_registration_id'), ['registration_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_manifest_entry_vehicle_id'), ['vehicle_id'], unique=False)



def downgrade() -> None:
    with op.batch_alter_table('manifest_entry', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_manifest_entry_vehicle_id'))
        batch_op.drop_index(batch_op.f('ix_manifest_entry_registration_id'))
        batch_op.drop_index(batch_op.f('ix_manifest_entry_crossing_id'))

    op.drop_table('manifest_entry')
    with op.batch_alter_table('vehicle', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_vehicle_crossing_id'))

    op.drop_table('vehicle')
    with op.batch_alter_table('procedure_step', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_step_crossing_id'))

    op.drop_table('procedure_step')
    with op.batch_alter_table('crossing', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_crossing_event_id'))
        batch_op.drop_index(batch_op.f('ix_crossing_delegation_id'))
        batch_op.drop_index(batch_op.f('ix_crossing_crossing_point_id'))

    op.drop_table('crossing')
    with op.batch_alter_table('procedure_template', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_procedure_template_crossing_point_id'))

    op.drop_table('procedure_template')
    op.drop_table('crossing_point')
