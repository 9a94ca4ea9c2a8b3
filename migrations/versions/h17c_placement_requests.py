"""leaders ask a member to present at a meeting they marked unavailable

Revision ID: h17c0place
Revises: h17b0attest
Create Date: 2026-12-01 20:05:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'h17c0place'
down_revision = 'h17b0attest'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rotation_placement_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('requested_by_id', sa.Integer(), nullable=True),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_rotation_placement_requests_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requested_by_id'], ['users.id'], name=op.f('fk_rotation_placement_requests_requested_by_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_rotation_placement_requests_series_id_series'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rotation_placement_requests_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_placement_requests'))
    )
    with op.batch_alter_table('rotation_placement_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_placement_requests_series_id'), ['series_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rotation_placement_requests_user_id'), ['user_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rotation_placement_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_placement_requests_user_id'))
        batch_op.drop_index(batch_op.f('ix_rotation_placement_requests_series_id'))
    op.drop_table('rotation_placement_requests')
