"""rotation: members' unavailability, swap requests and the rotation's event log

Revision ID: a1f0r0tat10n
Revises: 789eed2e30bc
Create Date: 2026-11-23 14:00:00.000000

"""
from alembic import op
import sqlalchemy as sa


# revision identifiers, used by Alembic.
revision = 'a1f0r0tat10n'
down_revision = '789eed2e30bc'
branch_labels = None
depends_on = None


def upgrade():
    op.create_table('rotation_unavailability',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('meeting_id', sa.Integer(), nullable=False),
    sa.Column('user_id', sa.Integer(), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['meeting_id'], ['meetings.id'], name=op.f('fk_rotation_unavailability_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['user_id'], ['users.id'], name=op.f('fk_rotation_unavailability_user_id_users'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_unavailability')),
    sa.UniqueConstraint('meeting_id', 'user_id', name=op.f('uq_rotation_unavailability_meeting_id_user_id'))
    )
    with op.batch_alter_table('rotation_unavailability', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_unavailability_meeting_id'), ['meeting_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rotation_unavailability_user_id'), ['user_id'], unique=False)

    op.create_table('rotation_swap_requests',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('requester_id', sa.Integer(), nullable=False),
    sa.Column('requester_meeting_id', sa.Integer(), nullable=False),
    sa.Column('partner_id', sa.Integer(), nullable=False),
    sa.Column('partner_meeting_id', sa.Integer(), nullable=False),
    sa.Column('message', sa.String(length=500), nullable=False),
    sa.Column('status', sa.String(length=16), nullable=False),
    sa.Column('outcome', sa.String(length=1000), nullable=False),
    sa.Column('created_at', sa.DateTime(), nullable=False),
    sa.Column('decided_at', sa.DateTime(), nullable=True),
    sa.ForeignKeyConstraint(['partner_id'], ['users.id'], name=op.f('fk_rotation_swap_requests_partner_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['partner_meeting_id'], ['meetings.id'], name=op.f('fk_rotation_swap_requests_partner_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requester_id'], ['users.id'], name=op.f('fk_rotation_swap_requests_requester_id_users'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['requester_meeting_id'], ['meetings.id'], name=op.f('fk_rotation_swap_requests_requester_meeting_id_meetings'), ondelete='CASCADE'),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_rotation_swap_requests_series_id_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_swap_requests'))
    )
    with op.batch_alter_table('rotation_swap_requests', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_swap_requests_partner_id'), ['partner_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rotation_swap_requests_requester_id'), ['requester_id'], unique=False)
        batch_op.create_index(batch_op.f('ix_rotation_swap_requests_series_id'), ['series_id'], unique=False)

    op.create_table('rotation_events',
    sa.Column('id', sa.Integer(), nullable=False),
    sa.Column('series_id', sa.Integer(), nullable=False),
    sa.Column('kind', sa.String(length=20), nullable=False),
    sa.Column('reason', sa.String(length=500), nullable=False),
    sa.Column('changes', sa.JSON(), nullable=False),
    sa.Column('explanation', sa.Text(), nullable=False),
    sa.Column('actor_id', sa.Integer(), nullable=True),
    sa.Column('at', sa.DateTime(), nullable=False),
    sa.ForeignKeyConstraint(['actor_id'], ['users.id'], name=op.f('fk_rotation_events_actor_id_users'), ondelete='SET NULL'),
    sa.ForeignKeyConstraint(['series_id'], ['series.id'], name=op.f('fk_rotation_events_series_id_series'), ondelete='CASCADE'),
    sa.PrimaryKeyConstraint('id', name=op.f('pk_rotation_events'))
    )
    with op.batch_alter_table('rotation_events', schema=None) as batch_op:
        batch_op.create_index(batch_op.f('ix_rotation_events_series_id'), ['series_id'], unique=False)


def downgrade():
    with op.batch_alter_table('rotation_events', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_events_series_id'))
    op.drop_table('rotation_events')

    with op.batch_alter_table('rotation_swap_requests', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_swap_requests_series_id'))
        batch_op.drop_index(batch_op.f('ix_rotation_swap_requests_requester_id'))
        batch_op.drop_index(batch_op.f('ix_rotation_swap_requests_partner_id'))
    op.drop_table('rotation_swap_requests')

    with op.batch_alter_table('rotation_unavailability', schema=None) as batch_op:
        batch_op.drop_index(batch_op.f('ix_rotation_unavailability_user_id'))
        batch_op.drop_index(batch_op.f('ix_rotation_unavailability_meeting_id'))
    op.drop_table('rotation_unavailability')
